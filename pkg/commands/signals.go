package commands

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hoist-build/hoist/pkg/build"
)

// Stopped is the cause of a command's cancellation by a signal.
type Stopped struct {
	Signal os.Signal
}

func (s *Stopped) Error() string { return "stopped by " + s.Signal.String() }

// ExitCode is 128 plus the signal's number, as shells report a process
// that a signal ended: 130 for SIGINT, 143 for SIGTERM.
func (s *Stopped) ExitCode() int {
	if n, ok := s.Signal.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return ExitFailed
}

// abortWait bounds what a second signal still cleans up before hoist
// exits.
const abortWait = 500 * time.Millisecond

// Main runs hoist with args as the process does. The first SIGINT or
// SIGTERM cancels the command's context: the command stops its work and
// cleans up (a local buildkitd stopped, temp folders removed, the progress
// display closed), then exits 130 or 143. A second signal exits at once,
// after killing a local buildkitd.
func Main(args []string, stdout, stderr io.Writer) int {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "hoist: %v: stopping (a second signal exits at once)\n", s)
			cancel(&Stopped{Signal: s})
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			aborted := make(chan struct{})
			go func() { build.Abort(); close(aborted) }()
			select {
			case <-aborted:
			case <-time.After(abortWait):
			}
			os.Exit((&Stopped{Signal: s}).ExitCode())
		case <-done:
		}
	}()
	return Execute(ctx, args, stdout, stderr)
}
