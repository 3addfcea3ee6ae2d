package progress

import (
	"context"
	"io"
	"sync"
	"sync/atomic"

	"github.com/moby/buildkit/client"
)

// Printer is the one progress display of a run. Its methods, and those of
// its Steps and Tasks, are safe for concurrent use.
type Printer struct {
	// ch feeds the display; it is closed by Close once no one sends.
	ch chan *client.SolveStatus

	mu     sync.Mutex
	closed bool
	// senders counts the goroutines that may still send on ch.
	senders sync.WaitGroup

	// shown is closed when the display has drained ch and flushed.
	shown    chan struct{}
	err      error
	warnings []client.VertexWarning

	closeOnce sync.Once
	tasks     atomic.Uint64
}

// NewPrinter starts a display in mode on out. ModeTTY on something that is
// not a terminal falls back to ModePlain. The display keeps running when ctx
// is cancelled (only ctx's values are used), so that it can still show the
// statuses that report the cancellation; Close ends it.
func NewPrinter(ctx context.Context, out io.Writer, mode Mode) (*Printer, error) {
	d, err := newDisplay(out, mode)
	if err != nil {
		return nil, err
	}
	p := &Printer{
		ch:    make(chan *client.SolveStatus),
		shown: make(chan struct{}),
	}
	go func() {
		defer close(p.shown)
		p.warnings, p.err = d.UpdateFrom(context.WithoutCancel(ctx), p.ch)
	}()
	return p, nil
}

// Step returns the part of the display for the step at path, e.g. ("build")
// or ("tests", "unit") for a step inside a parallel block. Its vertices are
// named "[build] …" or "[tests] [unit] …". Empty names are left out; with
// none, vertices keep their names and digests, as for a single build. A nil
// *Printer gives a nil *Step, which shows nothing.
func (p *Printer) Step(path ...string) *Step {
	if p == nil {
		return nil
	}
	s := &Step{p: p}
	for _, name := range path {
		s = s.Child(name)
	}
	return s
}

// Close waits until every channel from Step.Status has been closed and
// forwarded, then stops the display, which prints what it still holds, and
// returns the display's error. Later calls return the same error. Tasks not
// yet done show as unfinished, and plain mode may leave out their last
// lines: call Done first. Statuses and tasks after Close are dropped.
func (p *Printer) Close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		p.senders.Wait()
		close(p.ch)
		<-p.shown
	})
	return p.err
}

// Warnings returns the warnings BuildKit reported during the run, with the
// digests the display used (see Step); nil until Close has returned.
func (p *Printer) Warnings() []client.VertexWarning {
	select {
	case <-p.shown:
		return p.warnings
	default:
		return nil
	}
}

// acquire reserves the right to send on p.ch until release is called; it
// reports false once Close has begun.
func (p *Printer) acquire() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.senders.Add(1)
	return true
}

// release ends what acquire reserved.
func (p *Printer) release() { p.senders.Done() }

// send passes one status to the display, unless Close has begun.
func (p *Printer) send(ss *client.SolveStatus) {
	if !p.acquire() {
		return
	}
	defer p.release()
	p.ch <- ss
}
