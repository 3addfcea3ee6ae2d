package ci

import (
	"cmp"
	"strings"
)

// Build is what a CI system says of the build it runs. Fields it does not
// give are empty.
type Build struct {
	// System names the CI, e.g. "GitHub Actions"; empty outside a known CI.
	System string
	// Branch is the branch built: for a pull or merge request, its source
	// branch. Empty for a tag build.
	Branch string
	// Tag is the git tag built, for a tag build.
	Tag      string
	Revision string
	BuildID  string
}

// Ref is the branch, or the tag of a tag build.
func (b Build) Ref() string {
	if b.Branch != "" {
		return b.Branch
	}
	return b.Tag
}

// system is one CI: how to know it runs, and how to read its build.
type system struct {
	name string
	is   func(env map[string]string) bool
	read func(env map[string]string) Build
}

// systems are checked in order; the first that runs the build wins.
var systems = []system{
	{"GitHub Actions", set("GITHUB_ACTIONS", "true"), func(e map[string]string) Build {
		b := Build{Revision: e["GITHUB_SHA"], BuildID: e["GITHUB_RUN_ID"]}
		switch {
		case e["GITHUB_REF_TYPE"] == "tag":
			b.Tag = e["GITHUB_REF_NAME"]
		case e["GITHUB_HEAD_REF"] != "": // a pull request: its source branch
			b.Branch = e["GITHUB_HEAD_REF"]
		default:
			b.Branch = e["GITHUB_REF_NAME"]
		}
		return b
	}},
	{"GitLab CI", set("GITLAB_CI", "true"), func(e map[string]string) Build {
		b := Build{Revision: e["CI_COMMIT_SHA"], BuildID: e["CI_PIPELINE_ID"]}
		switch {
		case e["CI_COMMIT_TAG"] != "":
			b.Tag = e["CI_COMMIT_TAG"]
		case e["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"] != "":
			b.Branch = e["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"]
		default:
			b.Branch = e["CI_COMMIT_REF_NAME"]
		}
		return b
	}},
	{"Jenkins", present("JENKINS_URL"), func(e map[string]string) Build {
		b := Build{Revision: e["GIT_COMMIT"], BuildID: e["BUILD_ID"], Tag: e["TAG_NAME"]}
		if b.Tag == "" {
			b.Branch = cmp.Or(e["CHANGE_BRANCH"], e["BRANCH_NAME"], strings.TrimPrefix(e["GIT_BRANCH"], "origin/"))
		}
		return b
	}},
	{"Bitbucket Pipelines", present("BITBUCKET_BUILD_NUMBER"), func(e map[string]string) Build {
		return Build{Branch: e["BITBUCKET_BRANCH"], Tag: e["BITBUCKET_TAG"], Revision: e["BITBUCKET_COMMIT"], BuildID: e["BITBUCKET_BUILD_NUMBER"]}
	}},
	{"Azure Pipelines", set("TF_BUILD", "True"), func(e map[string]string) Build {
		b := Build{Revision: e["BUILD_SOURCEVERSION"], BuildID: e["BUILD_BUILDID"]}
		ref := e["BUILD_SOURCEBRANCH"]
		switch {
		case strings.HasPrefix(ref, "refs/tags/"):
			b.Tag = strings.TrimPrefix(ref, "refs/tags/")
		case e["SYSTEM_PULLREQUEST_SOURCEBRANCH"] != "":
			b.Branch = strings.TrimPrefix(e["SYSTEM_PULLREQUEST_SOURCEBRANCH"], "refs/heads/")
		default:
			b.Branch = strings.TrimPrefix(ref, "refs/heads/")
		}
		return b
	}},
	{"CircleCI", set("CIRCLECI", "true"), func(e map[string]string) Build {
		return Build{Branch: e["CIRCLE_BRANCH"], Tag: e["CIRCLE_TAG"], Revision: e["CIRCLE_SHA1"], BuildID: e["CIRCLE_BUILD_NUM"]}
	}},
}

// Detect returns what the CI running this build says of it; a zero Build
// outside a known CI.
func Detect(env map[string]string) Build {
	for _, s := range systems {
		if s.is(env) {
			b := s.read(env)
			if b.Tag != "" {
				b.Branch = ""
			}
			b.System = s.name
			return b
		}
	}
	return Build{}
}

func set(k, v string) func(map[string]string) bool {
	return func(e map[string]string) bool { return strings.EqualFold(e[k], v) }
}

func present(k string) func(map[string]string) bool {
	return func(e map[string]string) bool { return e[k] != "" }
}
