package registries

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
)

// testServer is go-containerregistry's in-process registry on plain-HTTP
// loopback, behind a handler that may answer a request itself, and that
// records every request it saw.
type testServer struct {
	host string
	// stop closes when the test ends: handlers that stall wait for it.
	stop chan struct{}

	mu   sync.Mutex
	seen []seenRequest
}

// seenRequest is what the server recorded of one request.
type seenRequest struct {
	method, path, query string
	authorization       string
}

// newTestServer starts the server; fault, when not nil, answers the
// requests it returns true for. The listener's receive buffer is small, so
// that a handler that stops reading stops the client's writes soon.
func newTestServer(t *testing.T, fault func(w http.ResponseWriter, r *http.Request) bool) *testServer {
	t.Helper()
	s := &testServer{stop: make(chan struct{})}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, seenRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization")})
		s.mu.Unlock()
		if fault != nil && fault(w, r) {
			return
		}
		reg.ServeHTTP(w, r)
	}))
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 32<<10) })
		if err != nil {
			return err
		}
		return serr
	}}
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(s.stop) }) // before Close: stalled handlers end
	s.host = strings.TrimPrefix(srv.URL, "http://")
	return s
}

// requests returns the recorded requests whose method is method ("" for
// all) and whose path contains part.
func (s *testServer) requests(method, part string) []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []seenRequest
	for _, r := range s.seen {
		if (method == "" || r.method == method) && strings.Contains(r.path, part) {
			out = append(out, r)
		}
	}
	return out
}

// stallBody reads n bytes of r's body, then reads no more and answers
// nothing until the test ends.
func (s *testServer) stallBody(r *http.Request, n int64) {
	io.CopyN(io.Discard, r.Body, n)
	<-s.stop
}

// testAccount loads a registries file and returns its account, with no
// docker credentials and net as its Network.
func testAccount(t *testing.T, yaml string, net Network) *Account {
	t.Helper()
	cfg, err := Load(strings.NewReader(yaml), "registries.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := NewAccount(cfg, t.TempDir())
	a.Network = net
	return a
}
