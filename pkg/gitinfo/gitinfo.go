package gitinfo

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"sync"
)

// Info is what git knows about the checkout. Fields git could not tell are empty.
type Info struct {
	Branch        string
	Revision      string
	CommitMessage string
	CommitAuthor  string
	// Origin is the URL of the remote named origin.
	Origin string
	// TopLevel is the checkout's top folder.
	TopLevel string
	// DefaultBranch is origin's default branch, when git knows it.
	DefaultBranch string
	// Tag is a tag that points at HEAD (an annotated one first), if any.
	Tag string
}

// Read asks git about the checkout that holds dir. Outside a checkout, or
// without git, it returns an empty Info.
func Read(ctx context.Context, dir string) Info {
	run := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
		var out bytes.Buffer
		cmd.Stdout = &out
		if cmd.Run() != nil {
			return ""
		}
		return strings.TrimSpace(out.String())
	}
	// Outside a checkout one question is enough; inside, the others are
	// independent: ask them at once.
	top, rev, _ := strings.Cut(run("rev-parse", "--show-toplevel", "HEAD"), "\n")
	if rev == "" {
		return Info{}
	}
	questions := [][]string{
		{"symbolic-ref", "--short", "-q", "HEAD"},
		{"log", "-1", "--format=%an%n%s"},
		{"config", "--get", "remote.origin.url"},
		{"symbolic-ref", "--short", "-q", "refs/remotes/origin/HEAD"},
		{"describe", "--tags", "--exact-match", "HEAD"},
	}
	answers := make([]string, len(questions))
	var wg sync.WaitGroup
	for i, q := range questions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = run(q...)
		}()
	}
	wg.Wait()
	author, message, _ := strings.Cut(answers[1], "\n")
	return Info{
		Branch:        answers[0],
		Revision:      rev,
		CommitMessage: message,
		CommitAuthor:  author,
		Origin:        answers[2],
		TopLevel:      top,
		DefaultBranch: strings.TrimPrefix(answers[3], "origin/"),
		Tag:           answers[4],
	}
}

// OwnerAndName splits a remote URL such as git@github.com:acme/app.git or
// https://github.com/acme/app into "acme" and "app".
func OwnerAndName(url string) (owner, name string) {
	u := strings.TrimSuffix(strings.TrimSuffix(url, "/"), ".git")
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		if j := strings.Index(u, "/"); j >= 0 {
			u = u[j+1:]
		} else {
			return "", ""
		}
	} else if i := strings.Index(u, ":"); i >= 0 {
		u = u[i+1:]
	}
	parts := strings.Split(u, "/")
	if len(parts) < 2 {
		return "", ""
	}
	return parts[len(parts)-2], parts[len(parts)-1]
}

// SourceURL turns a remote URL into a browsable https URL with no
// credentials: https://user:token@host/o/r.git and git@host:o/r.git both
// become https://host/o/r.
func SourceURL(remote string) string {
	u := strings.TrimSuffix(strings.TrimSpace(remote), ".git")
	if u == "" {
		return ""
	}
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		if at := strings.LastIndex(strings.SplitN(rest, "/", 2)[0], "@"); at >= 0 {
			rest = rest[at+1:]
		}
		return "https://" + rest
	}
	if at := strings.Index(u, "@"); at >= 0 {
		u = u[at+1:]
	}
	if host, path, ok := strings.Cut(u, ":"); ok {
		return "https://" + host + "/" + path
	}
	return ""
}
