package pipeline

import (
	"bytes"
	"cmp"
	"encoding/json"
	"path/filepath"
	"strings"

	"github.com/hoist-build/hoist/pkg/ci"
	"github.com/hoist-build/hoist/pkg/gitinfo"
)

// EmptySystemVars are Codefresh's system variables that only Codefresh
// itself can give: outside it they are defined and empty, so files that
// name them run unchanged. CF_STEP_NAME is set per step by the runner.
var EmptySystemVars = []string{
	"CF_ACCOUNT", "CF_URL", "CF_OUTPUT_URL", "CF_VOLUME_NAME", "CF_GERRIT_CHANGE_TOPIC",
	"CF_PIPELINE_TRIGGER_ID", "CF_BUILD_TRIGGER",
}

// changeVars sets the system variables of the change behind the build
// (release, pull request, who started it) from git and the CI, and
// defines the ones neither can give as empty. set leaves variables the
// environment sets alone.
func changeVars(set func(k, v string), info gitinfo.Info, env map[string]string, build ci.Build, message string) {
	c := ci.Details(env)
	pr := c.PullRequest
	kube, _, _ := strings.Cut(env["KUBECONFIG"], string(filepath.ListSeparator))
	for _, kv := range [][2]string{
		// A release: GitHub's release event, else the tag the CI builds,
		// else the tag git has at HEAD.
		{"CF_RELEASE_TAG", cmp.Or(c.Release.Tag, build.Tag, info.Tag)},
		{"CF_RELEASE_NAME", c.Release.Name},
		{"CF_RELEASE_ID", c.Release.ID},
		{"CF_PRERELEASE_FLAG", c.Release.Prerelease},
		{"CF_BASE_BRANCH", pr.Target},
		{"CF_PULL_REQUEST_ACTION", pr.Action},
		{"CF_PULL_REQUEST_TARGET", pr.Target},
		{"CF_PULL_REQUEST_NUMBER", pr.Number},
		{"CF_PULL_REQUEST_ID", pr.ID},
		{"CF_PULL_REQUEST_TITLE", pr.Title},
		{"CF_PULL_REQUEST_TITLE_ESCAPED", escape(pr.Title)},
		{"CF_PULL_REQUEST_LABELS", pr.Labels},
		{"CF_PULL_REQUEST_COMMENT", pr.Comment},
		{"CF_PULL_REQUEST_COMMENT_AUTHOR", pr.CommentAuthor},
		{"CF_PULL_REQUEST_IS_FORK", pr.IsFork},
		{"CF_PULL_REQUEST_MERGED", pr.Merged},
		{"CF_PULL_REQUEST_HEAD_BRANCH", pr.HeadBranch},
		{"CF_PULL_REQUEST_HEAD_COMMIT_SHA", pr.HeadSHA},
		{"CF_PULL_REQUEST_MERGED_COMMIT_SHA", pr.MergedSHA},
		{"CF_BUILD_URL", c.URL},
		// Outside a CI, the build's initiator is whoever runs hoist.
		{"CF_BUILD_INITIATOR", cmp.Or(c.Initiator, env["USER"], env["LOGNAME"])},
		{"CF_COMMIT_MESSAGE_ESCAPED", escape(message)},
		{"CF_KUBECONFIG_PATH", kube},
		{"CI", "true"},
	} {
		set(kv[0], kv[1])
	}
	for _, k := range EmptySystemVars {
		set(k, "")
	}
}

// escape escapes s as a JSON string's text, without the quotes: quotes,
// backslashes and control characters (newlines) are escaped.
func escape(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}
