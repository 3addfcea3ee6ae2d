//go:build linux

package build

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strings"
)

// rootlessKit returns the rootlesskit binary that starts buildkitd for a
// user who is not root, once it has checked what rootless needs: Debian's
// rootlesskit and uidmap (newuidmap, newgidmap) and a subordinate uid and
// gid range for the user. Its error is the one line that says what is
// missing and how to use a running daemon instead.
func rootlessKit() (string, error) {
	fail := func(why string) (string, error) {
		return "", fmt.Errorf("starting a local buildkitd as a user who is not root needs %s; or give --builder / $BUILDKIT_HOST with a running buildkitd", why)
	}
	kit, err := exec.LookPath("rootlesskit")
	if err != nil {
		return fail("rootlesskit on PATH (Debian's rootlesskit package)")
	}
	for _, b := range []string{"newuidmap", "newgidmap"} {
		if _, err := exec.LookPath(b); err != nil {
			return fail(b + " on PATH (Debian's uidmap package)")
		}
	}
	u, err := user.Current()
	if err != nil {
		return fail("a user name for this uid")
	}
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		if !hasSubIDs(f, u.Username, u.Uid) {
			return fail("a subordinate id range for " + u.Username + " in " + f + " (usermod --add-subuids / --add-subgids)")
		}
	}
	return kit, nil
}

// hasSubIDs reports whether file lists a range for the user, by name or uid.
func hasSubIDs(file, name, uid string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		owner, _, _ := strings.Cut(s.Text(), ":")
		if owner == name || owner == uid {
			return true
		}
	}
	return false
}
