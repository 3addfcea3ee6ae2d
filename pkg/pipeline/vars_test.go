package pipeline

import (
	"strings"
	"testing"
	"time"

	"github.com/hoist-build/hoist/pkg/gitinfo"
)

func TestNormalizeTag(t *testing.T) {
	for in, want := range map[string]string{
		"main":                   "main",
		"feature/Login#42":       "feature_Login_42",
		"v1.2-rc_1":              "v1.2-rc_1",
		strings.Repeat("a", 200): strings.Repeat("a", 128),
	} {
		if got := NormalizeTag(in); got != want {
			t.Errorf("NormalizeTag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExpand(t *testing.T) {
	v := Vars{"A": "1", "steps.b.imageId": "sha256:x"}
	if got, err := v.Expand("x-${{A}}-${{ steps.b.imageId }}"); err != nil || got != "x-1-sha256:x" {
		t.Errorf("Expand() = %q, %v; want x-1-sha256:x", got, err)
	}
	if _, err := v.Expand("${{MISSING}}"); err == nil || err.Error() != "undefined variable ${{MISSING}}" {
		t.Errorf("Expand(${{MISSING}}) error = %v", err)
	}
}

func TestSystemVars(t *testing.T) {
	info := gitinfo.Info{Branch: "Feature/X", Revision: "0123456789abcdef", CommitMessage: "fix", CommitAuthor: "Ann", Origin: "git@github.com:acme/app.git", TopLevel: "/src/app"}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	v := SystemVars(info, map[string]string{"CF_BUILD_ID": "b-7"}, now)
	for k, want := range map[string]string{
		"CF_BRANCH": "Feature/X", "CF_BRANCH_TAG_NORMALIZED": "Feature_X", "CF_BRANCH_TAG_NORMALIZED_LOWER_CASE": "feature_x",
		"CF_REVISION": "0123456789abcdef", "CF_SHORT_REVISION": "0123456", "CF_COMMIT_MESSAGE": "fix",
		"CF_COMMIT_AUTHOR": "Ann", "CF_REPO_OWNER": "acme", "CF_REPO_NAME": "app", "CF_BUILD_ID": "b-7",
		"CF_BUILD_TIMESTAMP": "2026-11-23T10:00:00Z", "CF_COMMIT_URL": "https://github.com/acme/app/commit/0123456789abcdef",
		"CF_VOLUME_PATH": "/src",
	} {
		if v[k] != want {
			t.Errorf("SystemVars()[%s] = %q, want %q", k, v[k], want)
		}
	}
	// Codefresh's build page and trigger have no meaning outside it: they
	// are defined and empty, so files that name them still run.
	for _, k := range []string{"CF_BUILD_URL", "CF_PIPELINE_TRIGGER_ID", "CF_BUILD_TRIGGER"} {
		if val, ok := v[k]; !ok || val != "" {
			t.Errorf("SystemVars()[%s] = %q, %v; want defined and empty", k, val, ok)
		}
	}
	// The environment's CF_BRANCH wins over git and drives the derived forms.
	v = SystemVars(info, map[string]string{"CF_BRANCH": "release/2"}, now)
	if v["CF_BRANCH_TAG_NORMALIZED"] != "release_2" {
		t.Errorf("CF_BRANCH_TAG_NORMALIZED = %q, want release_2", v["CF_BRANCH_TAG_NORMALIZED"])
	}
}
