package registries

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// ErrStalled is what errors.Is finds in the error of a request that was
// given up because no bytes moved for Network.Stall.
var ErrStalled = errors.New("stalled")

// What a request waits on while its watch runs.
const (
	phaseSend    = "sending the request"
	phaseAnswer  = "waiting for the answer"
	phaseReceive = "receiving the answer"
)

// stallError says how long nothing moved, and while doing what. It is a
// net.Error that timed out and is temporary, so that go-containerregistry
// retries it as it retries a reset; it is not context.DeadlineExceeded,
// which it never retries.
type stallError struct {
	idle  time.Duration
	phase string
}

func (e *stallError) Error() string {
	return fmt.Sprintf("%s: no bytes for %s while %s", ErrStalled, e.idle, e.phase)
}
func (e *stallError) Is(target error) bool { return target == ErrStalled }
func (e *stallError) Timeout() bool        { return true }
func (e *stallError) Temporary() bool      { return true }

// watch is one request's progress deadline. It runs only while the request
// waits on the network: while the transport writes the body (between its
// reads of it), while the answer is awaited, and while a read of the answer's
// body is blocked. Time spent reading hoist's own source, or by the caller
// between reads of the answer, does not count. When it runs out it cancels
// the request.
type watch struct {
	idle   time.Duration
	cancel context.CancelCauseFunc

	mu    sync.Mutex
	timer *time.Timer
	armed bool
	phase string
	// gotAnswer: the headers are in, so the request body no longer counts.
	gotAnswer bool
	err       *stallError
}

func newWatch(idle time.Duration, cancel context.CancelCauseFunc) *watch {
	return &watch{idle: idle, cancel: cancel}
}

// arm starts the countdown again, for phase.
func (w *watch) arm(phase string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return
	}
	w.phase, w.armed = phase, true
	if w.timer == nil {
		w.timer = time.AfterFunc(w.idle, w.fire)
	} else {
		w.timer.Reset(w.idle)
	}
}

// disarm pauses the countdown.
func (w *watch) disarm() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed = false
	if w.timer != nil {
		w.timer.Stop()
	}
}

// sending arms or disarms for the request body, until the answer came.
func (w *watch) sending(waiting bool, phase string) {
	w.mu.Lock()
	done := w.gotAnswer
	w.mu.Unlock()
	switch {
	case done:
	case waiting:
		w.arm(phase)
	default:
		w.disarm()
	}
}

// answered notes that the headers are in, and pauses the countdown.
func (w *watch) answered() {
	w.mu.Lock()
	w.gotAnswer = true
	w.mu.Unlock()
	w.disarm()
}

// stop ends the watch and releases the request's context.
func (w *watch) stop() {
	w.disarm()
	w.cancel(nil)
}

func (w *watch) fire() {
	w.mu.Lock()
	if !w.armed || w.err != nil {
		w.mu.Unlock()
		return
	}
	w.err = &stallError{idle: w.idle, phase: w.phase}
	err := w.err
	w.mu.Unlock()
	w.cancel(err)
}

// stalled returns the stall, when the watch ran out; nil otherwise.
func (w *watch) stalled() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		return nil
	}
	return w.err
}

// sendBody is a request body under a watch.
type sendBody struct {
	rc io.ReadCloser
	w  *watch
}

func (b *sendBody) Read(p []byte) (int, error) {
	b.w.sending(false, "")
	n, err := b.rc.Read(p)
	phase := phaseSend
	if err == io.EOF {
		phase = phaseAnswer
	}
	b.w.sending(true, phase)
	return n, err
}

func (b *sendBody) Close() error { return b.rc.Close() }

// recvBody is an answer's body under a watch.
type recvBody struct {
	rc   io.ReadCloser
	w    *watch
	once sync.Once
}

func (b *recvBody) Read(p []byte) (int, error) {
	b.w.arm(phaseReceive)
	n, err := b.rc.Read(p)
	b.w.disarm()
	switch {
	case err == io.EOF:
		b.end()
	case err != nil:
		if serr := b.w.stalled(); serr != nil {
			err = serr
		}
	}
	return n, err
}

func (b *recvBody) Close() error {
	err := b.rc.Close()
	b.end()
	return err
}

func (b *recvBody) end() { b.once.Do(b.w.stop) }
