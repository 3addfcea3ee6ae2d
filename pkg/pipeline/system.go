package pipeline

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/hoist-build/hoist/pkg/ci"
	"github.com/hoist-build/hoist/pkg/gitinfo"
)

// SystemVars returns Codefresh's CF_* variables derived from git, for those
// that env does not set. env values always win, as in a Codefresh build.
// When git cannot say (a detached HEAD, no repository), the branch or tag,
// revision and build id come from the CI's own variables (package ci).
func SystemVars(info gitinfo.Info, env map[string]string, now time.Time) Vars {
	v := Vars{}
	set := func(k, val string) {
		if _, ok := env[k]; !ok {
			v[k] = val
		}
	}
	build := ci.Detect(env)
	branch := info.Branch
	if branch == "" {
		branch = build.Ref()
	}
	if b, ok := env["CF_BRANCH"]; ok {
		branch = b
	}
	revision := info.Revision
	if revision == "" {
		revision = build.Revision
	}
	if r, ok := env["CF_REVISION"]; ok {
		revision = r
	}
	buildID := now.UTC().Format("20060102150405")
	if build.BuildID != "" {
		buildID = build.BuildID
	}
	short := revision
	if len(short) > 7 {
		short = short[:7]
	}
	owner, name := gitinfo.OwnerAndName(info.Origin)
	set("CF_BRANCH", branch)
	set("CF_BRANCH_TAG_NORMALIZED", NormalizeTag(branch))
	set("CF_BRANCH_TAG_NORMALIZED_LOWER_CASE", strings.ToLower(NormalizeTag(branch)))
	set("CF_REVISION", revision)
	set("CF_SHORT_REVISION", short)
	set("CF_COMMIT_MESSAGE", info.CommitMessage)
	set("CF_COMMIT_AUTHOR", info.CommitAuthor)
	set("CF_REPO_OWNER", owner)
	set("CF_REPO_NAME", name)
	set("CF_BUILD_TIMESTAMP", now.UTC().Format("2006-01-02T15:04:05Z"))
	set("CF_BUILD_ID", buildID)
	if src := gitinfo.SourceURL(info.Origin); src != "" && revision != "" {
		set("CF_COMMIT_URL", src+"/commit/"+revision)
	}
	if info.TopLevel != "" {
		// Codefresh clones into its shared volume; hoist's is the folder
		// that holds the checkout.
		set("CF_VOLUME_PATH", filepath.Dir(info.TopLevel))
	}
	message := info.CommitMessage
	if m, ok := env["CF_COMMIT_MESSAGE"]; ok {
		message = m
	}
	changeVars(set, info, env, build, message)
	for k, val := range env {
		v[k] = val
	}
	return v
}

// BranchNotice says, in one line, that no branch is known where git gives
// a detached HEAD and neither CF_BRANCH nor the CI's variables name one,
// so build steps without a tag fall back to latest; "" otherwise.
func BranchNotice(info gitinfo.Info, env map[string]string) string {
	if info.Revision == "" || info.Branch != "" || env["CF_BRANCH"] != "" || ci.Detect(env).Ref() != "" {
		return ""
	}
	return "hoist: notice: HEAD is detached and no CI variable names the branch, so build steps without a tag are tagged latest (set CF_BRANCH to name the branch)"
}
