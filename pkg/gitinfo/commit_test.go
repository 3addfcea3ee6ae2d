package gitinfo

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// TestReadCommit: an abbreviated hash names its commit, with its author
// and subject; a hash git does not know, or a name that is not a hash,
// names none.
func TestReadCommit(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=Ada", "-c", "user.email=ada@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	git("commit", "-q", "--allow-empty", "-m", "first commit")
	first := git("rev-parse", "HEAD")
	git("commit", "-q", "--allow-empty", "-m", "second")
	ctx := context.Background()
	c, ok := ReadCommit(ctx, dir, strings.ToUpper(first[:9]))
	if want := (Commit{Revision: first, Author: "Ada", Message: "first commit"}); !ok || c != want {
		t.Errorf("ReadCommit(%s) = %+v, %v; want %+v, true", first[:9], c, ok, want)
	}
	for _, rev := range []string{"0000000", "HEAD", "-n1", ""} {
		if c, ok := ReadCommit(ctx, dir, rev); ok {
			t.Errorf("ReadCommit(%q) = %+v, true; want false", rev, c)
		}
	}
}
