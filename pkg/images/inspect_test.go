package images

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/hoist-build/hoist/pkg/errs"
)

// TestInspect finds one image, by digest, by image name or by full
// reference, in every registry that stores it, while a registry that is
// down is one warning.
func TestInspect(t *testing.T) {
	t.Parallel()
	one, two := serve(t, nil), serve(t, basicAuth("viewer", "view-Pa55"))
	viewer := &authn.Basic{Username: "viewer", Password: "view-Pa55"}
	x := labelled(t, time.Time{}, traceLabels("aaaaaaa1111", "main"))
	y := labelled(t, time.Time{}, traceLabels("bbbbbbb2222", "old"))
	dx := push(t, x, authn.Anonymous, one+"/team/app:v1", one+"/team/app:latest")
	push(t, x, authn.Anonymous, one+"/team/archive@"+dx) // by digest only, with no tag
	push(t, x, viewer, two+"/app:prod")
	dy := push(t, y, authn.Anonymous, one+"/team/app:old")
	acct := account(t, fmt.Sprintf(`registries:
  - name: one
    domain: %s
    insecure: true
    prefix: team
  - name: two
    domain: %s
    insecure: true
    username: viewer
    password: view-Pa55
  - name: down
    domain: %s
    insecure: true
`, one, two, downHost))

	appX := []Location{
		{Registry: "one", Repository: one + "/team/app", Tags: []string{"latest", "v1"}},
		{Registry: "two", Repository: two + "/app", Tags: []string{"prod"}},
	}
	for _, tc := range []struct {
		name, ref, digest string
		want              []Location
	}{
		// A digest is looked for in every repository, under any name, with
		// or without a tag.
		{"digest", dx, dx, append(appX, Location{Registry: "one", Repository: one + "/team/archive"})},
		{"name-and-tag", "app:prod", dx, appX},
		{"name", "app", dx, appX},
		{"full-reference", one + "/team/app:v1", dx, appX},
		{"name-and-digest", "app@" + dy, dy, []Location{{Registry: "one", Repository: one + "/team/app", Tags: []string{"old"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			im, warns, err := Inspect(t.Context(), acct, tc.ref, 0)
			if err != nil {
				t.Fatalf("Inspect(%s) error = %v", tc.ref, err)
			}
			if im.Digest != tc.digest {
				t.Errorf("Inspect(%s) digest = %s, want %s", tc.ref, im.Digest, tc.digest)
			}
			if diff := cmp.Diff(tc.want, im.Locations); diff != "" {
				t.Errorf("Inspect(%s) locations (-want +got):\n%s", tc.ref, diff)
			}
			want := `registry "down" (` + downHost + `): not reachable: `
			if len(warns) != 1 || !strings.HasPrefix(warns[0], want) {
				t.Errorf("Inspect(%s) warnings = %q, want one starting %q", tc.ref, warns, want)
			}
		})
	}

	for _, tc := range []struct {
		name, ref, want string
		is              error
	}{
		{"missing-name", "nothing:here", "image not found: nothing:here is in none of the registries", ErrNotFound},
		{"missing-digest", "sha256:" + strings.Repeat("0", 64), "image not found: sha256:" + strings.Repeat("0", 64) + " is in none of the registries one, two, down", ErrNotFound},
		{"short-digest", "sha256:abc", "sha256:abc: not a sha256 digest", errs.ErrInput},
		{"bad-reference", "Bad Ref", `Bad Ref: not an image reference: could not parse reference: Bad Ref`, errs.ErrInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := Inspect(t.Context(), acct, tc.ref, 0)
			if err == nil || err.Error() != tc.want || !errors.Is(err, tc.is) {
				t.Errorf("Inspect(%s) error = %v, want %q (%v)", tc.ref, err, tc.want, tc.is)
			}
		})
	}
}
