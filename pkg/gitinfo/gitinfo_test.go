package gitinfo

import (
	"context"
	"os"
	"os/exec"
	"testing"
)

func TestSourceURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://bot:ghp_SECRET@github.com/acme/app.git": "https://github.com/acme/app",
		"git@github.com:acme/app.git":                    "https://github.com/acme/app",
		"ssh://git@gitlab.com/acme/app":                  "https://gitlab.com/acme/app",
		"":                                               "",
	} {
		if got := SourceURL(in); got != want {
			t.Errorf("SourceURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOwnerAndName(t *testing.T) {
	for in, want := range map[string][2]string{
		"git@github.com:acme/app.git":   {"acme", "app"},
		"https://github.com/acme/app/":  {"acme", "app"},
		"https://gitlab.com/g/sub/repo": {"sub", "repo"},
		"nothing":                       {"", ""},
	} {
		if o, n := OwnerAndName(in); o != want[0] || n != want[1] {
			t.Errorf("OwnerAndName(%q) = %q, %q; want %q", in, o, n, want)
		}
	}
}

// TestRead reads a real repository that git makes here.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Ann Dev", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=Ann Dev", "GIT_COMMITTER_EMAIL=a@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "feature/x")
	git("remote", "add", "origin", "git@github.com:acme/app.git")
	git("commit", "-q", "--allow-empty", "-m", "first commit")
	info := Read(context.Background(), dir)
	if info.Tag != "" {
		t.Errorf("Read().Tag = %q before any tag, want empty", info.Tag)
	}
	git("tag", "v1.2.0")
	info = Read(context.Background(), dir)
	if info.Tag != "v1.2.0" {
		t.Errorf("Read().Tag = %q, want v1.2.0 (the tag at HEAD)", info.Tag)
	}
	if info.Branch != "feature/x" || len(info.Revision) != 40 || info.CommitMessage != "first commit" || info.CommitAuthor != "Ann Dev" ||
		info.Origin != "git@github.com:acme/app.git" || info.TopLevel == "" {
		t.Errorf("Read() = %+v", info)
	}
	if got := Read(context.Background(), t.TempDir()); got != (Info{}) {
		t.Errorf("Read(not a checkout) = %+v, want empty", got)
	}
}

func TestTopLevel(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	repo := root + "/repo"
	for _, d := range []string{repo + "/.git", repo + "/app/sub", root + "/wt/app", root + "/plain"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A worktree's .git is a file.
	if err := os.WriteFile(root+"/wt/.git", []byte("gitdir: elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(repo+"/app", root+"/link"); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]string{
		repo:              repo,
		repo + "/app/sub": repo,
		root + "/wt/app":  root + "/wt",
		root + "/link":    repo,
		root + "/plain":   "",
		root + "/missing": "",
	} {
		if got := TopLevel(dir); got != want {
			t.Errorf("TopLevel(%s) = %q, want %q", dir, got, want)
		}
	}
}
