//go:build linux

package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWaitFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "buildkitd.sock")
	go func() {
		time.Sleep(50 * time.Millisecond)
		os.WriteFile(filepath.Join(dir, "other"), nil, 0o600)
		os.WriteFile(path, nil, 0o600)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFile(ctx, path); err != nil {
		t.Fatalf("waitFile(%s) = %v, want nil once it is created", path, err)
	}
	if err := waitFile(ctx, path); err != nil {
		t.Errorf("waitFile of a file that exists = %v, want nil", err)
	}
}

func TestWaitFileEnds(t *testing.T) {
	stop := errors.New("the daemon exited")
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(50*time.Millisecond, func() { cancel(stop) })
	if err := waitFile(ctx, filepath.Join(t.TempDir(), "never")); !errors.Is(err, stop) {
		t.Errorf("waitFile for a file never created = %v, want the context's cause %v", err, stop)
	}
}

func TestReadyDaemonExits(t *testing.T) {
	tmp := t.TempDir()
	d := &daemon{addr: "unix://" + filepath.Join(tmp, "buildkitd.sock"), exited: make(chan struct{}), logFile: filepath.Join(tmp, "buildkitd.log")}
	if err := os.WriteFile(d.logFile, []byte("level=info msg=starting\nbuildkitd: bad config\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(50*time.Millisecond, func() { close(d.exited) })
	start := time.Now()
	_, err := d.ready(context.Background(), 10*time.Second)
	want := "buildkitd exited at start: level=info msg=starting | buildkitd: bad config"
	if err == nil || err.Error() != want {
		t.Errorf("ready = %v, want %q", err, want)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("ready took %s to see the daemon exit", took)
	}
}

func TestReadyDaemonSilent(t *testing.T) {
	tmp := t.TempDir()
	d := &daemon{addr: "unix://" + filepath.Join(tmp, "buildkitd.sock"), exited: make(chan struct{}), logFile: filepath.Join(tmp, "buildkitd.log")}
	if err := os.WriteFile(d.logFile, []byte("level=info msg=starting\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := d.ready(context.Background(), 100*time.Millisecond)
	want := "buildkitd did not answer within 100ms: level=info msg=starting"
	if err == nil || err.Error() != want {
		t.Errorf("ready = %v, want %q", err, want)
	}
}
