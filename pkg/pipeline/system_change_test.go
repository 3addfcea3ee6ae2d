package pipeline

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-build/hoist/pkg/gitinfo"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// TestSystemVarsRelease: CF_RELEASE_TAG is the tag git has at HEAD, the
// CI's tag over it, and GitHub's release event over both.
func TestSystemVarsRelease(t *testing.T) {
	t.Parallel()
	info := gitinfo.Info{Branch: "main", Revision: "4f2a9c1e0b7d", Tag: "v1.2.0"}
	v := SystemVars(info, map[string]string{}, now)
	for k, want := range map[string]string{"CF_RELEASE_TAG": "v1.2.0", "CF_RELEASE_NAME": "", "CF_RELEASE_ID": "", "CF_PRERELEASE_FLAG": "", "CI": "true"} {
		if got, ok := v[k]; !ok || got != want {
			t.Errorf("SystemVars()[%s] = %q (defined %v), want %q", k, got, ok, want)
		}
	}
	event := filepath.Join(t.TempDir(), "event.json")
	os.WriteFile(event, []byte(`{"action":"published","release":{"id":1234567,"name":"Shop 2.4","tag_name":"v2.4.0-rc.1","prerelease":true}}`), 0o644)
	v = SystemVars(info, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v2.4.0-rc.1", "GITHUB_EVENT_PATH": event,
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_RUN_ID": "77", "GITHUB_ACTOR": "ann"}, now)
	want := map[string]string{"CF_RELEASE_TAG": "v2.4.0-rc.1", "CF_RELEASE_NAME": "Shop 2.4", "CF_RELEASE_ID": "1234567", "CF_PRERELEASE_FLAG": "true",
		"CF_BUILD_URL": "https://github.com/acme/shop/actions/runs/77", "CF_BUILD_INITIATOR": "ann"}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("SystemVars() under a GitHub release: %s = %q, want %q", k, v[k], w)
		}
	}
}

// TestSystemVarsPullRequest: a GitHub pull_request event and a GitLab
// merge request give CF_PULL_REQUEST_*; CF_* in the environment win.
func TestSystemVarsPullRequest(t *testing.T) {
	t.Parallel()
	event := filepath.Join(t.TempDir(), "event.json")
	os.WriteFile(event, []byte(`{"action":"closed","number":42,"pull_request":{"id":99887766,"number":42,"title":"Fix \"cart\" totals","merged":true,"merge_commit_sha":"abc123",
		"labels":[{"name":"bug"},{"name":"release"}],"head":{"ref":"fix/cart","sha":"def456","repo":{"fork":false,"full_name":"ann/shop"}},"base":{"ref":"main","repo":{"full_name":"acme/shop"}}}}`), 0o644)
	gh := SystemVars(gitinfo.Info{}, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_HEAD_REF": "fix/cart", "GITHUB_BASE_REF": "main", "GITHUB_EVENT_PATH": event, "CF_PULL_REQUEST_LABELS": "mine"}, now)
	gl := SystemVars(gitinfo.Info{}, map[string]string{"GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_ID": "3001", "CI_MERGE_REQUEST_TITLE": "Draft: cart",
		"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "cart", "CI_MERGE_REQUEST_LABELS": "a,b",
		"CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "5", "CI_MERGE_REQUEST_PROJECT_ID": "5", "GITLAB_USER_LOGIN": "bob"}, now)
	keys := []string{"CF_PULL_REQUEST_ACTION", "CF_PULL_REQUEST_NUMBER", "CF_PULL_REQUEST_ID", "CF_PULL_REQUEST_TITLE", "CF_PULL_REQUEST_TITLE_ESCAPED",
		"CF_PULL_REQUEST_LABELS", "CF_PULL_REQUEST_TARGET", "CF_BASE_BRANCH", "CF_PULL_REQUEST_HEAD_BRANCH", "CF_PULL_REQUEST_HEAD_COMMIT_SHA",
		"CF_PULL_REQUEST_IS_FORK", "CF_PULL_REQUEST_MERGED", "CF_PULL_REQUEST_MERGED_COMMIT_SHA", "CF_BUILD_INITIATOR", "CF_BRANCH"}
	pick := func(v Vars) map[string]string {
		m := map[string]string{}
		for _, k := range keys {
			m[k] = v[k]
		}
		return m
	}
	wantGH := map[string]string{"CF_PULL_REQUEST_ACTION": "closed", "CF_PULL_REQUEST_NUMBER": "42", "CF_PULL_REQUEST_ID": "99887766",
		"CF_PULL_REQUEST_TITLE": `Fix "cart" totals`, "CF_PULL_REQUEST_TITLE_ESCAPED": `Fix \"cart\" totals`, "CF_PULL_REQUEST_LABELS": "mine",
		"CF_PULL_REQUEST_TARGET": "main", "CF_BASE_BRANCH": "main", "CF_PULL_REQUEST_HEAD_BRANCH": "fix/cart", "CF_PULL_REQUEST_HEAD_COMMIT_SHA": "def456",
		"CF_PULL_REQUEST_IS_FORK": "true", "CF_PULL_REQUEST_MERGED": "true", "CF_PULL_REQUEST_MERGED_COMMIT_SHA": "abc123", "CF_BUILD_INITIATOR": "", "CF_BRANCH": "fix/cart"}
	if diff := cmp.Diff(wantGH, pick(gh)); diff != "" {
		t.Errorf("GitHub pull request (-want +got):\n%s", diff)
	}
	wantGL := map[string]string{"CF_PULL_REQUEST_ACTION": "", "CF_PULL_REQUEST_NUMBER": "7", "CF_PULL_REQUEST_ID": "3001",
		"CF_PULL_REQUEST_TITLE": "Draft: cart", "CF_PULL_REQUEST_TITLE_ESCAPED": "Draft: cart", "CF_PULL_REQUEST_LABELS": "a,b",
		"CF_PULL_REQUEST_TARGET": "main", "CF_BASE_BRANCH": "main", "CF_PULL_REQUEST_HEAD_BRANCH": "cart", "CF_PULL_REQUEST_HEAD_COMMIT_SHA": "",
		"CF_PULL_REQUEST_IS_FORK": "false", "CF_PULL_REQUEST_MERGED": "", "CF_PULL_REQUEST_MERGED_COMMIT_SHA": "", "CF_BUILD_INITIATOR": "bob", "CF_BRANCH": "cart"}
	if diff := cmp.Diff(wantGL, pick(gl)); diff != "" {
		t.Errorf("GitLab merge request (-want +got):\n%s", diff)
	}
}

// TestSystemVarsDefined: every system variable of Codefresh's list is
// defined outside Codefresh and any CI, so files that name them plan.
func TestSystemVarsDefined(t *testing.T) {
	t.Parallel()
	v := SystemVars(gitinfo.Info{Revision: "4f2a9c1", CommitMessage: "say \"hi\"\tnow", TopLevel: "/src/shop"}, map[string]string{"USER": "ann", "KUBECONFIG": "/k/one:/k/two"}, now)
	for _, k := range []string{"CF_REPO_OWNER", "CF_REPO_NAME", "CF_BRANCH", "CF_BRANCH_TAG_NORMALIZED", "CF_BRANCH_TAG_NORMALIZED_LOWER_CASE",
		"CF_BASE_BRANCH", "CF_PULL_REQUEST_ACTION", "CF_PULL_REQUEST_ID", "CF_PULL_REQUEST_TARGET", "CF_PULL_REQUEST_NUMBER", "CF_PULL_REQUEST_LABELS",
		"CF_PULL_REQUEST_COMMENT", "CF_PULL_REQUEST_COMMENT_AUTHOR", "CF_GERRIT_CHANGE_TOPIC", "CF_COMMIT_AUTHOR", "CF_BUILD_INITIATOR", "CF_ACCOUNT",
		"CF_COMMIT_MESSAGE", "CF_COMMIT_MESSAGE_ESCAPED", "CF_PULL_REQUEST_TITLE", "CF_PULL_REQUEST_TITLE_ESCAPED",
		"CF_REVISION", "CF_SHORT_REVISION", "CF_VOLUME_NAME", "CF_VOLUME_PATH", "CF_BUILD_TRIGGER", "CF_BUILD_ID", "CF_BUILD_TIMESTAMP", "CF_BUILD_URL",
		"CF_URL", "CF_OUTPUT_URL", "CI", "CF_KUBECONFIG_PATH", "CF_RELEASE_NAME", "CF_RELEASE_TAG", "CF_RELEASE_ID", "CF_PRERELEASE_FLAG",
		"CF_PULL_REQUEST_MERGED", "CF_PULL_REQUEST_HEAD_BRANCH", "CF_PULL_REQUEST_MERGED_COMMIT_SHA", "CF_PULL_REQUEST_HEAD_COMMIT_SHA", "CF_PULL_REQUEST_IS_FORK",
		"CF_PIPELINE_TRIGGER_ID"} {
		if _, ok := v[k]; !ok {
			t.Errorf("SystemVars() leaves %s undefined", k)
		}
	}
	for k, want := range map[string]string{"CF_BUILD_INITIATOR": "ann", "CF_KUBECONFIG_PATH": "/k/one", "CF_VOLUME_PATH": "/src",
		"CF_COMMIT_MESSAGE_ESCAPED": `say \"hi\"\tnow`} {
		if v[k] != want {
			t.Errorf("SystemVars()[%s] = %q, want %q", k, v[k], want)
		}
	}
}
