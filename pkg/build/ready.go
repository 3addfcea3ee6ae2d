//go:build linux

package build

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/moby/buildkit/client"
	"golang.org/x/sys/unix"
)

// errExited stops the wait for a daemon that exited.
var errExited = errors.New("buildkitd exited")

// ready returns a client of the daemon once it answers, or the end of its
// log when it exits first or does not answer within limit. It polls
// nothing: it waits for the socket to appear in the daemon's folder
// (inotify; buildkitd listens before it sets up its workers), then for
// BuildKit's client Wait, whose first request the daemon answers once it
// serves.
func (d *daemon) ready(ctx context.Context, limit time.Duration) (*client.Client, error) {
	wctx, cancel := context.WithTimeoutCause(ctx, limit, fmt.Errorf("buildkitd did not answer within %s", limit))
	defer cancel()
	ectx, stop := context.WithCancelCause(wctx)
	defer stop(nil)
	go func() {
		select {
		case <-d.exited:
			stop(errExited)
		case <-ectx.Done():
		}
	}()
	fail := func(err error) (*client.Client, error) {
		switch cause := context.Cause(ectx); {
		case errors.Is(cause, errExited):
			return nil, fmt.Errorf("buildkitd exited at start: %s", d.logTail())
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case cause != nil:
			return nil, fmt.Errorf("%w: %s", cause, d.logTail())
		}
		return nil, fmt.Errorf("buildkitd at %s: %w: %s", d.addr, err, d.logTail())
	}
	if err := waitFile(ectx, strings.TrimPrefix(d.addr, "unix://")); err != nil {
		return fail(err)
	}
	c, err := client.New(ectx, d.addr)
	if err != nil {
		return fail(err)
	}
	if err := c.Wait(ectx); err != nil {
		c.Close()
		return fail(err)
	}
	return c, nil
}

// waitFile returns once path exists, watching its folder for it.
func waitFile(ctx context.Context, path string) error {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return fmt.Errorf("watching %s: %w", filepath.Dir(path), err)
	}
	f := os.NewFile(uintptr(fd), "inotify") // non-blocking: reads wait in Go's poller
	defer f.Close()
	if _, err := unix.InotifyAddWatch(fd, filepath.Dir(path), unix.IN_CREATE|unix.IN_MOVED_TO); err != nil {
		return fmt.Errorf("watching %s: %w", filepath.Dir(path), err)
	}
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	found := make(chan error, 1)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			if err != nil {
				found <- err
				return
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				// struct inotify_event: wd, mask, cookie, len, then
				// len bytes of NUL-padded name.
				l := int(binary.NativeEndian.Uint32(buf[off+12:]))
				name := strings.TrimRight(string(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+l]), "\x00")
				if name == filepath.Base(path) {
					found <- nil
					return
				}
				off += unix.SizeofInotifyEvent + l
			}
		}
	}()
	select {
	case err := <-found:
		return err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
