package stack

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// LinkOptions shape a Link.
type LinkOptions struct {
	// Rate is the link's capacity in bytes per second, each way, shared by
	// all its connections; 0 is unlimited.
	Rate int64
	// RTT is the round-trip time: each byte arrives RTT/2 after it left,
	// each way, and a new connection waits one RTT before its first byte
	// leaves, as TCP's handshake does.
	RTT time.Duration
}

// Link is a TCP proxy in front of a server that behaves like a network
// link between the client and the server: a rate limit each way and a
// round-trip delay. It forwards bytes as they are, so TLS and HTTP/2 pass
// end to end. A sender is held back while the link is busy, so at most a
// round trip's worth of bytes (the bandwidth-delay product) is in flight;
// TCP's own window at that round-trip time is not modelled: the kernel's
// connections on each side are loopback ones.
type Link struct {
	// Host is the link's 127.0.0.1:PORT.
	Host string
	// Up counts the bytes clients sent through the link; Down the bytes
	// the server sent back.
	Up, Down atomic.Int64

	target   string
	opts     LinkOptions
	ln       net.Listener
	up, down shaper
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]bool
	closed   bool
}

// StartLink starts a link to the server at target (host:port).
func StartLink(target string, opts LinkOptions) (*Link, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &Link{Host: ln.Addr().String(), target: target, opts: opts, ln: ln, conns: map[net.Conn]bool{}}
	l.up.rate, l.down.rate = opts.Rate, opts.Rate
	l.wg.Add(1)
	go l.serve()
	return l, nil
}

// Close stops the link and cuts its connections.
func (l *Link) Close() {
	l.mu.Lock()
	l.closed = true
	for c := range l.conns {
		c.Close()
	}
	l.mu.Unlock()
	l.ln.Close()
	l.wg.Wait()
}

func (l *Link) serve() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			return
		}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.handle(c)
		}()
	}
}

// track adds c to the open connections, or reports that the link closed.
func (l *Link) track(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		c.Close()
		return false
	}
	l.conns[c] = true
	return true
}

func (l *Link) untrack(c net.Conn) {
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
	c.Close()
}

func (l *Link) handle(client net.Conn) {
	if !l.track(client) {
		return
	}
	defer l.untrack(client)
	time.Sleep(l.opts.RTT)
	server, err := net.Dial("tcp", l.target)
	if err != nil {
		return
	}
	if !l.track(server) {
		return
	}
	defer l.untrack(server)
	done := make(chan struct{}, 2)
	go func() { l.pipe(server, client, &l.up, &l.Up); done <- struct{}{} }()
	go func() { l.pipe(client, server, &l.down, &l.Down); done <- struct{}{} }()
	<-done
	<-done
}

// chunk is bytes on the wire, due at the far end at due.
type chunk struct {
	b   []byte
	due time.Time
}

// pipe moves bytes from src to dst through s, each chunk arriving RTT/2
// after the link sent it. When src ends, dst's write side is closed after
// the last chunk arrived.
func (l *Link) pipe(dst, src net.Conn, s *shaper, count *atomic.Int64) {
	const size = 32 << 10
	wire := make(chan chunk, 1024)
	go func() {
		defer close(wire)
		for {
			b := make([]byte, size)
			n, err := src.Read(b)
			if n > 0 {
				sent := s.send(n)
				wire <- chunk{b[:n], sent.Add(l.opts.RTT / 2)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range wire {
		time.Sleep(time.Until(c.due))
		if _, err := dst.Write(c.b); err != nil {
			// Drain, so the reader is not stuck on a full channel.
			for range wire {
			}
			src.Close()
			return
		}
		count.Add(int64(len(c.b)))
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	} else {
		io.Copy(io.Discard, src)
	}
}

// shaper is one direction of a link: it serializes what its connections
// send at the link's rate.
type shaper struct {
	rate int64
	mu   sync.Mutex
	// free is when the link is done sending what it was given.
	free time.Time
}

// burst is how far the link may fall behind its schedule (a sleep that
// overslept) and catch up at once.
const burst = 20 * time.Millisecond

// send waits until n bytes have left the link and returns when they did.
// A link that fell behind its schedule by up to burst (the sleep of the
// last call overslept) sends without waiting until it caught up; bytes
// never leave before they came.
func (s *shaper) send(n int) time.Time {
	if s.rate <= 0 {
		return time.Now()
	}
	s.mu.Lock()
	now := time.Now()
	start := s.free
	if start.Before(now.Add(-burst)) {
		start = now.Add(-burst)
	}
	s.free = start.Add(time.Duration(int64(n) * int64(time.Second) / s.rate))
	end := s.free
	s.mu.Unlock()
	if end.Before(now) {
		// Catching up: the bytes leave now, never earlier.
		return now
	}
	if ahead := end.Sub(now); ahead > time.Millisecond {
		time.Sleep(ahead)
	}
	return end
}
