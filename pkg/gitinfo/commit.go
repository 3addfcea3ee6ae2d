package gitinfo

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
)

// Commit is one commit of a checkout.
type Commit struct {
	// Revision is the commit's full hash.
	Revision string
	Author   string
	Message  string
}

// ReadCommit asks git, in the checkout that holds dir, for the commit a
// hash (full or abbreviated) names. It reports false when git does not
// know it, or rev is not hexadecimal.
func ReadCommit(ctx context.Context, dir, rev string) (Commit, bool) {
	if rev == "" || strings.Trim(strings.ToLower(rev), "0123456789abcdef") != "" {
		return Commit{}, false
	}
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "log", "-1", "--format=%H%n%an%n%s", rev+"^{commit}", "--")
	var out bytes.Buffer
	cmd.Stdout = &out
	if cmd.Run() != nil {
		return Commit{}, false
	}
	lines := strings.SplitN(strings.TrimSpace(out.String()), "\n", 3)
	if len(lines) < 2 {
		return Commit{}, false
	}
	c := Commit{Revision: lines[0], Author: lines[1]}
	if len(lines) == 3 {
		c.Message = lines[2]
	}
	return c, true
}
