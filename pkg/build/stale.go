//go:build linux

package build

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// staleAge is how old a temp folder without an owner lock must be before
// removeStale takes it for a leftover: younger, it may be a start that has
// not locked it yet.
const staleAge = time.Minute

// removeStale removes the hoist-buildkitd-* folders in tmp that a hoist
// killed with SIGKILL left behind. A folder stays when a live hoist holds
// its owner lock, when the daemon of its pid file still runs, when
// something is mounted under it, or, for a folder without an owner lock
// file (another version's, or a start under way), when it is younger than
// minAge or its socket answers.
func removeStale(tmp string, minAge time.Duration) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, tempPrefix+"*"))
	if len(dirs) == 0 {
		return
	}
	mounts := mountPoints()
	for _, dir := range dirs {
		if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() || mountedUnder(mounts, dir) {
			continue
		}
		removeIfStale(dir, minAge)
	}
}

// removeIfStale removes dir when no live hoist or buildkitd uses it,
// holding its owner lock, when it has one, while it does.
func removeIfStale(dir string, minAge time.Duration) {
	f, err := os.OpenFile(filepath.Join(dir, ownerFile), os.O_RDWR, 0)
	switch {
	case err == nil:
		defer f.Close()
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
			return // its hoist still runs
		}
	case errors.Is(err, os.ErrNotExist):
		fi, err := os.Stat(dir)
		if err != nil || time.Since(fi.ModTime()) < minAge || answers(filepath.Join(dir, "buildkitd.sock")) {
			return
		}
	default:
		return
	}
	if !daemonRuns(dir) {
		os.RemoveAll(dir)
	}
}

// daemonRuns reports whether the process in dir's pid file still runs.
func daemonRuns(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, pidFile))
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	return err == nil && pid > 0 && runs(pid)
}

// runs reports whether process pid runs. A zombie does not: a daemon whose
// hoist died is left to init, which may be slow to reap it.
func runs(pid int) bool {
	if stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		// "pid (comm) state ...": the state follows the last ')'.
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		return i < 0 || i+2 >= len(s) || (s[i+2] != 'Z' && s[i+2] != 'X')
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// answers reports whether something listens on the unix socket at path.
func answers(path string) bool {
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	return syscall.Connect(fd, &syscall.SockaddrUnix{Name: path}) == nil
}

// mountPoints lists the mount points this process sees.
func mountPoints() []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 {
			out = append(out, unescapeMount(fields[4]))
		}
	}
	return out
}

// unescapeMount decodes the octal escapes (\040 for a space) of a mount
// point in mountinfo.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mountedUnder reports whether a mount point is dir or inside it:
// removing the folder would reach into the mount.
func mountedUnder(mounts []string, dir string) bool {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	for _, m := range mounts {
		if m == dir || strings.HasPrefix(m, dir+"/") {
			return true
		}
	}
	return false
}
