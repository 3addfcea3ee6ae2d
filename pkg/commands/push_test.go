package commands

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
	"github.com/hoist-build/hoist/pkg/distribute"
)

// pushMeta reads a push/tag/promote metadata file.
func pushMeta(t *testing.T, path string) (string, map[string]*distribute.Result) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Digest  string
		Targets []*distribute.Result
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("metadata file: %v\n%s", err, data)
	}
	out := map[string]*distribute.Result{}
	for _, r := range m.Targets {
		out[r.Registry] = r
	}
	return m.Digest, out
}

// blobBytes is the size of an image's blobs: config and layers.
func blobBytes(t *testing.T, img v1.Image) (int64, int64) {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	n := m.Config.Size
	for _, l := range m.Layers {
		n += l.Size
	}
	return n, int64(len(m.Layers) + 1)
}

// TestPushManyTargetsNoBlobTwice pushes one image to three targets, two of
// them repositories of one registry: every blob is uploaded once per
// registry, the second repository mounts them, and a later retag uploads
// nothing.
func TestPushManyTargetsNoBlobTwice(t *testing.T) {
	needStack(t)
	t.Setenv("TEST_SECURE_PASSWORD", securePassword)
	img, err := random.Image(300_000, 5)
	if err != nil {
		t.Fatal(err)
	}
	src := regSecure.Host + "/src/many:v1"
	digest := put(t, img, &authn.Basic{Username: secureUser, Password: securePassword}, src)
	size, blobs := blobBytes(t, img)
	regs := registriesFile(t, fmt.Sprintf("  - name: a2\n    domain: %s\n    insecure: true\n    prefix: team-a2\n", regA.Host))
	meta := filepath.Join(t.TempDir(), "push.json")

	r := mustHoist(t, "push", src, "--registry", "a", "--registry", "a2", "--registry", "b", "--tag", "1.0", "--tag", "latest",
		"--image-name", "push/many", "--registries", regs, "--metadata-file", meta)
	for _, ref := range []string{regA.Host + "/team-a/push/many", regA.Host + "/team-a2/push/many", regB.Host + "/team-b/push/many"} {
		for _, tag := range []string{"1.0", "latest"} {
			if got := digestOf(t, ref+":"+tag, nil); got != digest {
				t.Errorf("%s:%s = %q, want %s", ref, tag, got, digest)
			}
		}
		if !strings.Contains(r.stdout, "pushed "+ref+"@"+digest+" tags 1.0,latest") {
			t.Errorf("stdout does not report %s:\n%s", ref, r.stdout)
		}
	}
	gotDigest, res := pushMeta(t, meta)
	if gotDigest != digest {
		t.Errorf("metadata digest = %s, want %s", gotDigest, digest)
	}
	for reg, want := range map[string]distribute.Counts{
		"a":  {BytesUploaded: size, BlobsUploaded: blobs},
		"a2": {BlobsMounted: blobs},
		"b":  {BytesUploaded: size, BlobsUploaded: blobs},
	} {
		if res[reg] == nil || res[reg].Counts != want || res[reg].Status != "pushed" {
			t.Errorf("target %s = %+v, want %+v and status pushed", reg, res[reg], want)
		}
	}

	// Ten more tags of the same image upload no blob anywhere.
	args := []string{"push", src, "--registry", "a", "--registry", "a2", "--registry", "b", "--image-name", "push/many", "--registries", regs, "--metadata-file", meta}
	for i := 0; i < 10; i++ {
		args = append(args, "--tag", fmt.Sprintf("r%d", i))
	}
	mustHoist(t, args...)
	_, res = pushMeta(t, meta)
	for reg, r := range res {
		if want := (distribute.Counts{AlreadyPresent: true}); r.Counts != want || len(r.Tags) != 10 {
			t.Errorf("retag at %s = %+v, %d tags; want %+v, 10 tags", reg, r.Counts, len(r.Tags), want)
		}
	}
}

// TestPushRetriesTransientFailures: a registry that answers 503 and resets
// connections a few times still gets the image.
func TestPushRetriesTransientFailures(t *testing.T) {
	needStack(t)
	var failures atomic.Int32
	proxy := stack.StartProxy(regB.Host, func(r *http.Request) int {
		if !strings.Contains(r.URL.Path, "/blobs/") && !strings.Contains(r.URL.Path, "/manifests/") {
			return 0
		}
		switch failures.Add(1) {
		case 1, 3:
			return http.StatusServiceUnavailable
		case 2:
			return stack.ResetConnection
		}
		return 0
	})
	defer proxy.Close()
	img, _ := random.Image(50_000, 2)
	src := regA.Host + "/src/flaky:v1"
	digest := put(t, img, authn.Anonymous, src)
	// The source's registry speaks plain HTTP, so it needs an insecure
	// integration too.
	regs := filepath.Join(writeFiles(t, map[string]string{"r.yaml": "registries:\n  - name: flaky\n    domain: " + proxy.Host + "\n    insecure: true\n  - name: src\n    domain: " + regA.Host + "\n    insecure: true\n"}), "r.yaml")
	mustHoist(t, "push", src, "--registry", "flaky", "--tag", "v1", "--registries", regs)
	if got := digestOf(t, regB.Host+"/src/flaky:v1", nil); got != digest {
		t.Errorf("after retries the registry holds %q, want %s", got, digest)
	}
	if failures.Load() < 4 {
		t.Errorf("the proxy failed only %d requests; the test did not exercise retries", failures.Load())
	}
}

// TestPushOneTargetDown: when one target cannot be written, no target's
// tag moves, hoist exits 1, and the report names the failed target.
func TestPushOneTargetDown(t *testing.T) {
	needStack(t)
	img, _ := random.Image(50_000, 2)
	src := regA.Host + "/src/down:v1"
	digest := put(t, img, authn.Anonymous, src)
	regs := registriesFile(t, "  - name: dead\n    domain: 127.0.0.1:1\n")
	meta := filepath.Join(t.TempDir(), "m.json")
	r := hoist(t, "push", src, "--registry", "b", "--registry", "dead", "--tag", "release", "--image-name", "push/down", "--registries", regs, "--metadata-file", meta)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if d := digestOf(t, regB.Host+"/team-b/push/down:release", nil); d != "" {
		t.Errorf("registry b got the tag release (%s) though dead failed", d)
	}
	if d := digestOf(t, regB.Host+"/team-b/push/down@"+digest, nil); d != digest {
		t.Errorf("registry b does not hold the image by digest: %q", d)
	}
	if !strings.Contains(r.stdout, "not-tagged "+regB.Host+"/team-b/push/down@"+digest) || !strings.Contains(r.stdout, "failed 127.0.0.1:1/push/down@"+digest) {
		t.Errorf("stdout does not report each target:\n%s", r.stdout)
	}
	if !strings.HasPrefix(r.stderr, "hoist: not every target was written: 127.0.0.1:1/push/down failed") {
		t.Errorf("stderr = %q", r.stderr)
	}
	_, res := pushMeta(t, meta)
	if res["b"].Status != "not-tagged" || res["dead"].Status != "failed" || len(res["b"].Tags) != 0 {
		t.Errorf("metadata = b %+v, dead %+v", res["b"], res["dead"])
	}
}

// TestPromoteIndex promotes a two-platform index: the same digest, with
// every child, in the target registry, and both digests printed.
func TestPromoteIndex(t *testing.T) {
	needStack(t)
	var idx v1.ImageIndex = empty.Index
	for _, arch := range []string{"amd64", "arm64"} {
		img, _ := random.Image(40_000, 2)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	src := regA.Host + "/team-a/promote/multi:2.0"
	ref, _ := name.ParseReference(src)
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	r := mustHoist(t, "promote", src, "--to", "b", "--registries", registriesFile(t, ""))
	dst := regB.Host + "/team-b/promote/multi"
	if got := digestOf(t, dst+":2.0", nil); got != d.String() {
		t.Fatalf("promoted digest = %q, want %s", got, d)
	}
	im, _ := idx.IndexManifest()
	for _, child := range im.Manifests {
		if got := digestOf(t, dst+"@"+child.Digest.String(), nil); got != child.Digest.String() {
			t.Errorf("child %s (%s) missing in the target", child.Digest, child.Platform.Architecture)
		}
	}
	if !strings.Contains(r.stderr, "promoting "+src+" ("+d.String()+")") || !strings.Contains(r.stdout, "pushed "+dst+"@"+d.String()+" tags 2.0") {
		t.Errorf("output does not show both digests:\nstdout %s\nstderr %s", r.stdout, r.stderr)
	}
}

// TestTag gives one image three names in two registries: one digest
// everywhere, and only the blobs missing at each repository move.
func TestTag(t *testing.T) {
	needStack(t)
	img, _ := random.Image(30_000, 2)
	src := regA.Host + "/src/tagme:build-7"
	digest := put(t, img, authn.Anonymous, src)
	dsts := []string{regA.Host + "/src/tagme:1.0", regA.Host + "/src/tagme:stable", regB.Host + "/release/tagme:1.0"}
	meta := filepath.Join(t.TempDir(), "m.json")
	r := mustHoist(t, append([]string{"tag", src, "--registries", registriesFile(t, ""), "--metadata-file", meta}, dsts...)...)
	for _, d := range dsts {
		if got := digestOf(t, d, nil); got != digest {
			t.Errorf("%s = %q, want %s", d, got, digest)
		}
	}
	if n := strings.Count(r.stdout, "\n"); n != 2 {
		t.Errorf("stdout has %d lines, want one per repository (2):\n%s", n, r.stdout)
	}
	data, _ := os.ReadFile(meta)
	var m struct{ Targets []*distribute.Result }
	json.Unmarshal(data, &m)
	res := map[string]*distribute.Result{}
	for _, r := range m.Targets {
		res[r.Repository] = r
	}
	size, _ := blobBytes(t, img)
	if a := res[regA.Host+"/src/tagme"]; a == nil || !a.AlreadyPresent || len(a.Tags) != 2 {
		t.Errorf("same-repository target = %+v, want already present with 2 tags", a)
	}
	if b := res[regB.Host+"/release/tagme"]; b == nil || b.BytesUploaded != size {
		t.Errorf("registry b target = %+v, want %d bytes uploaded", b, size)
	}
}

// TestPushWrongPassword: the target refuses the credentials: exit 1, one
// line naming the target and the refusal, and no password printed.
func TestPushWrongPassword(t *testing.T) {
	needStack(t)
	const wrong = "wr0ng-Pa55-for-push"
	t.Setenv("TEST_SECURE_PASSWORD", wrong)
	img, _ := random.Image(10_000, 1)
	src := regA.Host + "/src/deny:v1"
	put(t, img, authn.Anonymous, src)
	r := hoist(t, "push", src, "--registry", "secure", "--tag", "v1", "--registries", registriesFile(t, ""))
	want := "hoist: not every target was written: " + regSecure.Host + "/src/deny failed (authentication failed: the registry refused the username or password)\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want exit 1, %q", r.code, r.stderr, want)
	}
	if strings.Contains(r.stdout+r.stderr, wrong) || strings.Contains(r.stdout+r.stderr, securePassword) {
		t.Errorf("output holds a password:\n%s%s", r.stdout, r.stderr)
	}
}
