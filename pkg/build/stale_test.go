//go:build linux

package build

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestRemoveStale: the temp folders of local daemons whose hoist and
// buildkitd are gone are removed; a folder a live hoist holds, one whose
// daemon still runs, a young one without a lock file (a start under way)
// and anything else in the temp dir stay.
func TestRemoveStale(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	folder := func(name string, files ...string) string {
		t.Helper()
		dir := filepath.Join(tmp, name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	writePid := func(dir string, pid int) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, pidFile), []byte(strconv.Itoa(pid)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	age := func(dir string) {
		t.Helper()
		old := time.Now().Add(-time.Hour)
		if err := os.Chtimes(dir, old, old); err != nil {
			t.Fatal(err)
		}
	}

	// A process that has ended: its pid runs nothing.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	// A process that has ended and that no one reaped yet, as init may
	// leave a daemon whose hoist died.
	zombie := exec.Command("true")
	if err := zombie.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { zombie.Wait() })
	for deadline := time.Now().Add(5 * time.Second); runs(zombie.Process.Pid); {
		if time.Now().After(deadline) {
			t.Fatal("the zombie still runs")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A process that still runs, as a daemon that outlived its hoist would.
	alive := exec.Command("sleep", "60")
	if err := alive.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { alive.Process.Kill(); alive.Wait() })

	killed := folder(tempPrefix+"killed", ownerFile, "buildkitd.log")
	writePid(killed, gone.Process.Pid)
	reaped := folder(tempPrefix+"not-reaped", ownerFile)
	writePid(reaped, zombie.Process.Pid)
	neverStarted := folder(tempPrefix+"never-started", ownerFile)
	held := folder(tempPrefix+"held", ownerFile)
	writePid(held, alive.Process.Pid)
	holder, err := lockFile(filepath.Join(held, ownerFile)) // a live hoist's lock
	if err != nil {
		t.Fatal(err)
	}
	orphan := folder(tempPrefix+"orphan", ownerFile)
	writePid(orphan, alive.Process.Pid)
	oldNoLock := folder(tempPrefix + "old-no-lock")
	age(oldNoLock)
	young := folder(tempPrefix + "young")
	listening := folder(tempPrefix + "listening")
	l, err := net.Listen("unix", filepath.Join(listening, "buildkitd.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	age(listening)
	other := folder("other-folder", ownerFile)
	file := filepath.Join(tmp, tempPrefix+"file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	removeStale(tmp, time.Minute)
	for _, tc := range []struct {
		path string
		kept bool
	}{
		{killed, false},
		{reaped, false},
		{neverStarted, false},
		{held, true},
		{orphan, true},
		{oldNoLock, false},
		{young, true},
		{listening, true},
		{other, true},
		{file, true},
	} {
		_, err := os.Lstat(tc.path)
		if kept := err == nil; kept != tc.kept {
			t.Errorf("after removeStale, %s kept = %v, want %v", filepath.Base(tc.path), kept, tc.kept)
		}
	}

	// Once its hoist and daemon are gone, the held folder goes too.
	holder.Close()
	alive.Process.Signal(syscall.SIGKILL)
	alive.Wait()
	removeStale(tmp, time.Minute)
	if _, err := os.Lstat(held); err == nil {
		t.Errorf("%s stayed after its hoist and daemon ended", filepath.Base(held))
	}
}
