package stack

import (
	"context"
	"io"
	"net"
	"net/http"
	"syscall"
)

// FaultKind is what a fault proxy does to a request.
type FaultKind int

// The faults a proxy injects.
const (
	// PassOn passes the request on as it is.
	PassOn FaultKind = iota
	// Answer answers with Status and Header, and passes nothing on.
	Answer
	// Close closes the connection without an answer.
	Close
	// Reset reads After bytes of the request body, then resets the
	// connection (a TCP RST).
	Reset
	// StallBody reads After bytes of the request body, then reads no more
	// and answers nothing, until the proxy closes.
	StallBody
	// StallAnswer passes the request on and sends After bytes of the
	// answer's body, then sends no more, until the client goes away or the
	// proxy closes.
	StallAnswer
)

// Fault is what a fault proxy does to one request.
type Fault struct {
	Kind FaultKind
	// Status and Header are the answer of an Answer fault.
	Status int
	Header http.Header
	// After is how many body bytes pass before a Reset or a stall.
	After int64
}

// inject does f to the request, other than passing it on.
func (p *Proxy) inject(w http.ResponseWriter, r *http.Request, f Fault) {
	switch f.Kind {
	case Answer:
		for k, v := range f.Header {
			w.Header()[k] = v
		}
		http.Error(w, http.StatusText(f.Status), f.Status)
	case Close, Reset:
		io.CopyN(io.Discard, r.Body, f.After)
		hj, ok := w.(http.Hijacker)
		if !ok {
			return
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok && f.Kind == Reset {
			tc.SetLinger(0)
		}
		conn.Close()
	case StallBody:
		io.CopyN(io.Discard, r.Body, f.After)
		<-p.stop
	}
}

// stallWriter passes left bytes of an answer's body on, then blocks until
// stop or done closes.
type stallWriter struct {
	http.ResponseWriter
	left       int64
	stop, done <-chan struct{}
}

func (s *stallWriter) Write(b []byte) (int, error) {
	if int64(len(b)) <= s.left {
		n, err := s.ResponseWriter.Write(b)
		s.left -= int64(n)
		return n, err
	}
	n, _ := s.ResponseWriter.Write(b[:s.left])
	s.left = 0
	http.NewResponseController(s.ResponseWriter).Flush()
	s.stall()
	return n, io.ErrClosedPipe
}

func (s *stallWriter) stall() {
	select {
	case <-s.stop:
	case <-s.done:
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (s *stallWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// smallBufferListener listens on a loopback port with small socket
// receive buffers.
func smallBufferListener() net.Listener {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 64<<10)
		}); err != nil {
			return err
		}
		return serr
	}}
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		panic("stack: listening on loopback: " + err.Error())
	}
	return l
}
