package distribute

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hoist-build/hoist/pkg/errs"
)

// TestCheckNames: tags and repositories registries refuse are input
// errors, found before anything is sent.
func TestCheckNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tag  string
		want string // "" when valid
	}{
		{"v1", ""},
		{"1.0_rc-2", ""},
		{"bad..tag", ""}, // the spec's grammar allows it, and so do registries
		{strings.Repeat("a", 128), ""},
		{"", `invalid tag "": tags are up to 128 letters, digits, _, . and -, not starting with . or -`},
		{strings.Repeat("a", 129), `invalid tag "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"… (129 characters): tags are up to 128`},
		{".hidden", "invalid tag"},
		{"-x", "invalid tag"},
		{"a:b", "invalid tag"},
		{"a/b", "invalid tag"},
	} {
		err := CheckTag(tc.tag)
		if (err == nil) != (tc.want == "") || (err != nil && (!strings.Contains(err.Error(), tc.want) || !errors.Is(err, errs.ErrInput))) {
			t.Errorf("CheckTag(%q) = %v, want %q", tc.tag, err, tc.want)
		}
	}
	for _, tc := range []struct {
		repo string
		want string
	}{
		{"team-a/app", ""},
		{"a/b__c/d.e/f--g", ""},
		{"team-a/a/../b", `invalid repository "127.0.0.1:5000/team-a/a/../b": path component ".." is not lowercase letters and digits joined by ., _, __ or -`},
		{"team-a/./b", `path component "."`},
		{"team-a/a//b", `invalid repository "127.0.0.1:5000/team-a/a//b": it has an empty path component (a leading, trailing or double /)`},
		{"team-a/b/", "empty path component"},
		{"a-/b", `path component "a-"`},
		{strings.Repeat("a", 250), "at most 255 with the registry host"},
	} {
		repo, err := name.NewRepository("127.0.0.1:5000/"+tc.repo, name.Insecure)
		if err != nil {
			t.Fatalf("name.NewRepository(%q) = %v", tc.repo, err)
		}
		err = CheckRepository(repo)
		if (err == nil) != (tc.want == "") || (err != nil && (!strings.Contains(err.Error(), tc.want) || !errors.Is(err, errs.ErrInput))) {
			t.Errorf("CheckRepository(%q) = %v, want %q", tc.repo, err, tc.want)
		}
	}

	// Copy refuses them before any request.
	var requests atomic.Int32
	reg := newTestRegistry(t)
	count := func(*http.Request) int { requests.Add(1); return 0 }
	reg.fail.Store(&count)
	for _, tg := range []Target{
		{Repo: reg.repo(t, "app"), Tags: []string{"v1", ""}},
		{Repo: reg.repo(t, "a/../app"), Tags: []string{"v1"}},
	} {
		if _, err := Copy(context.Background(), randomSource(t), []Target{tg}); !errors.Is(err, errs.ErrInput) {
			t.Errorf("Copy(%s, %q) = %v, want an input error", tg.Repo, tg.Tags, err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the registry saw %d requests, want none", n)
	}
}
