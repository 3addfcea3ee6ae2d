package ci

import (
	"path"
	"strings"
)

// Change is what a CI says of the person, pull (merge) request and
// release behind a build: what Codefresh gives as CF_BUILD_INITIATOR,
// CF_BUILD_URL, CF_PULL_REQUEST_* and CF_RELEASE_*. Fields the CI does not
// give are empty.
type Change struct {
	// URL is the build's page.
	URL string
	// Initiator is the user who started the build.
	Initiator   string
	PullRequest PullRequest
	Release     Release
}

// PullRequest is the pull or merge request a build runs for.
type PullRequest struct {
	Action, Number, ID, Title, Labels string
	// Target is the branch the request merges into; HeadBranch the one it
	// merges.
	Target, HeadBranch, HeadSHA string
	// IsFork and Merged are "true" or "false" when the CI says.
	IsFork, Merged, MergedSHA string
	Comment, CommentAuthor    string
}

// Release is the release a build runs for (a GitHub release event).
type Release struct {
	Name, Tag, ID string
	// Prerelease is "true" or "false" when the CI says.
	Prerelease string
}

// Details returns what the CI running this build says of its change; a
// zero Change outside a known CI. Under GitHub Actions it also reads the
// event payload at $GITHUB_EVENT_PATH.
func Details(env map[string]string) Change {
	switch Detect(env).System {
	case "GitHub Actions":
		return github(env)
	case "GitLab CI":
		c := Change{URL: env["CI_PIPELINE_URL"], Initiator: env["GITLAB_USER_LOGIN"]}
		if iid := env["CI_MERGE_REQUEST_IID"]; iid != "" {
			c.PullRequest = PullRequest{Number: iid, ID: env["CI_MERGE_REQUEST_ID"], Title: env["CI_MERGE_REQUEST_TITLE"],
				Labels: env["CI_MERGE_REQUEST_LABELS"], Target: env["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"],
				HeadBranch: env["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"], HeadSHA: env["CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"],
				IsFork: differ(env["CI_MERGE_REQUEST_SOURCE_PROJECT_ID"], env["CI_MERGE_REQUEST_PROJECT_ID"])}
		}
		return c
	case "Jenkins":
		c := Change{URL: env["BUILD_URL"], Initiator: env["BUILD_USER_ID"]}
		if id := env["CHANGE_ID"]; id != "" {
			c.PullRequest = PullRequest{Number: id, ID: id, Title: env["CHANGE_TITLE"], Target: env["CHANGE_TARGET"],
				HeadBranch: env["CHANGE_BRANCH"], IsFork: boolText(env["CHANGE_FORK"] != "")}
		}
		return c
	case "Bitbucket Pipelines":
		c := Change{}
		if origin := env["BITBUCKET_GIT_HTTP_ORIGIN"]; origin != "" {
			c.URL = origin + "/addon/pipelines/home#!/results/" + env["BITBUCKET_BUILD_NUMBER"]
		}
		if id := env["BITBUCKET_PR_ID"]; id != "" {
			c.PullRequest = PullRequest{Number: id, ID: id, Target: env["BITBUCKET_PR_DESTINATION_BRANCH"], HeadBranch: env["BITBUCKET_BRANCH"]}
		}
		return c
	case "Azure Pipelines":
		c := Change{Initiator: env["BUILD_REQUESTEDFOR"]}
		if uri := env["SYSTEM_COLLECTIONURI"]; uri != "" {
			c.URL = strings.TrimSuffix(uri, "/") + "/" + env["SYSTEM_TEAMPROJECT"] + "/_build/results?buildId=" + env["BUILD_BUILDID"]
		}
		if n := env["SYSTEM_PULLREQUEST_PULLREQUESTNUMBER"]; n != "" {
			c.PullRequest = PullRequest{Number: n, ID: env["SYSTEM_PULLREQUEST_PULLREQUESTID"],
				Target:     strings.TrimPrefix(env["SYSTEM_PULLREQUEST_TARGETBRANCH"], "refs/heads/"),
				HeadBranch: strings.TrimPrefix(env["SYSTEM_PULLREQUEST_SOURCEBRANCH"], "refs/heads/"),
				IsFork:     strings.ToLower(env["SYSTEM_PULLREQUEST_ISFORK"])}
		}
		return c
	case "CircleCI":
		c := Change{URL: env["CIRCLE_BUILD_URL"], Initiator: env["CIRCLE_USERNAME"]}
		n := env["CIRCLE_PR_NUMBER"]
		if pr := env["CIRCLE_PULL_REQUEST"]; n == "" && pr != "" {
			n = path.Base(pr)
		}
		if n != "" {
			c.PullRequest = PullRequest{Number: n, HeadBranch: env["CIRCLE_BRANCH"]}
		}
		return c
	}
	return Change{}
}

// differ is "true" when two values both given differ, "false" when they
// are equal, "" when either is missing.
func differ(a, b string) string {
	if a == "" || b == "" {
		return ""
	}
	return boolText(a != b)
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
