package runner

import (
	"context"
	"fmt"
	"strings"

	"github.com/hoist-build/hoist/pkg/gitinfo"
)

// commitFor returns what git says of the checkout, with the branch and
// commit the run is for (Options.Branch, Options.Revision) over git's;
// the commit's author and message come from git when it knows the
// commit, else they are empty. The notice, when not empty, says that
// the commit is not the checkout's HEAD, which is what is built.
func commitFor(ctx context.Context, info gitinfo.Info, dir string, opts Options) (gitinfo.Info, string) {
	if opts.Branch != "" {
		info.Branch = opts.Branch
	}
	if opts.Revision == "" {
		return info, ""
	}
	head := info.Revision
	if c, ok := gitinfo.ReadCommit(ctx, dir, opts.Revision); ok {
		info.Revision, info.CommitAuthor, info.CommitMessage = c.Revision, c.Author, c.Message
	} else {
		info.Revision, info.CommitAuthor, info.CommitMessage = strings.ToLower(opts.Revision), "", ""
	}
	if head == "" || head == info.Revision {
		return info, ""
	}
	return info, fmt.Sprintf("hoist: notice: --sha %s is not the checkout's HEAD (%s): images are labelled with %s, and built from the files as they are", opts.Revision, short(head), short(info.Revision))
}

// short abbreviates a commit hash as git does, to 7 characters.
func short(rev string) string {
	if len(rev) > 7 {
		return rev[:7]
	}
	return rev
}

// overridden are the variables the environment may set that --branch and
// --sha decide instead.
var overridden = map[string][]string{
	"branch":   {"CF_BRANCH", "CF_BRANCH_TAG_NORMALIZED", "CF_BRANCH_TAG_NORMALIZED_LOWER_CASE"},
	"revision": {"CF_REVISION", "CF_SHORT_REVISION", "CF_COMMIT_URL", "CF_COMMIT_MESSAGE", "CF_COMMIT_AUTHOR"},
}

// withoutOverridden removes from env the variables opts.Branch and
// opts.Revision decide, so git's answers, overridden, fill them.
func withoutOverridden(env map[string]string, opts Options) {
	if opts.Branch != "" {
		for _, k := range overridden["branch"] {
			delete(env, k)
		}
	}
	if opts.Revision != "" {
		for _, k := range overridden["revision"] {
			delete(env, k)
		}
	}
}
