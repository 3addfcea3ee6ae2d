package ci

import (
	"cmp"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"strings"
)

// maxEvent bounds the GitHub event payload read.
const maxEvent = 16 << 20

// githubEvent holds the fields of GitHub's webhook payloads (pull_request,
// issue_comment, release) that Codefresh's variables carry.
type githubEvent struct {
	Action      string `json:"action"`
	Number      int64  `json:"number"`
	PullRequest *struct {
		ID             int64  `json:"id"`
		Number         int64  `json:"number"`
		Title          string `json:"title"`
		Merged         bool   `json:"merged"`
		MergeCommitSHA string `json:"merge_commit_sha"`
		Labels         []struct {
			Name string `json:"name"`
		} `json:"labels"`
		Head struct {
			Ref  string `json:"ref"`
			SHA  string `json:"sha"`
			Repo *struct {
				Fork     bool   `json:"fork"`
				FullName string `json:"full_name"`
			} `json:"repo"`
		} `json:"head"`
		Base struct {
			Ref  string `json:"ref"`
			Repo *struct {
				FullName string `json:"full_name"`
			} `json:"repo"`
		} `json:"base"`
	} `json:"pull_request"`
	Release *struct {
		ID         int64  `json:"id"`
		Name       string `json:"name"`
		TagName    string `json:"tag_name"`
		Prerelease bool   `json:"prerelease"`
	} `json:"release"`
	Comment *struct {
		Body string `json:"body"`
		User struct {
			Login string `json:"login"`
		} `json:"user"`
	} `json:"comment"`
}

// github reads GitHub Actions' variables and, when it can, the event
// payload: a payload that cannot be read leaves its fields empty.
func github(env map[string]string) Change {
	c := Change{Initiator: cmp.Or(env["GITHUB_TRIGGERING_ACTOR"], env["GITHUB_ACTOR"])}
	if env["GITHUB_SERVER_URL"] != "" && env["GITHUB_REPOSITORY"] != "" && env["GITHUB_RUN_ID"] != "" {
		c.URL = env["GITHUB_SERVER_URL"] + "/" + env["GITHUB_REPOSITORY"] + "/actions/runs/" + env["GITHUB_RUN_ID"]
	}
	pr := &c.PullRequest
	pr.Target, pr.HeadBranch = env["GITHUB_BASE_REF"], env["GITHUB_HEAD_REF"]
	if ref := env["GITHUB_REF"]; strings.HasPrefix(ref, "refs/pull/") {
		pr.Number, _, _ = strings.Cut(strings.TrimPrefix(ref, "refs/pull/"), "/")
	}
	var ev githubEvent
	if p := env["GITHUB_EVENT_PATH"]; p != "" {
		if f, err := os.Open(p); err == nil {
			if json.NewDecoder(io.LimitReader(f, maxEvent)).Decode(&ev) != nil {
				ev = githubEvent{}
			}
			f.Close()
		}
	}
	if p := ev.PullRequest; p != nil {
		pr.Action = ev.Action
		pr.Number = strconv.FormatInt(p.Number, 10)
		pr.ID = strconv.FormatInt(p.ID, 10)
		pr.Title = p.Title
		var labels []string
		for _, l := range p.Labels {
			labels = append(labels, l.Name)
		}
		pr.Labels = strings.Join(labels, ",")
		pr.Target, pr.HeadBranch, pr.HeadSHA = p.Base.Ref, p.Head.Ref, p.Head.SHA
		if p.Head.Repo != nil {
			fork := p.Head.Repo.Fork || p.Base.Repo != nil && p.Head.Repo.FullName != p.Base.Repo.FullName
			pr.IsFork = boolText(fork)
		}
		pr.Merged = boolText(p.Merged)
		if p.Merged {
			pr.MergedSHA = p.MergeCommitSHA
		}
	}
	if cm := ev.Comment; cm != nil {
		pr.Comment, pr.CommentAuthor = cm.Body, cm.User.Login
	}
	if r := ev.Release; r != nil {
		c.Release = Release{Name: r.Name, Tag: r.TagName, ID: strconv.FormatInt(r.ID, 10), Prerelease: boolText(r.Prerelease)}
	}
	return c
}
