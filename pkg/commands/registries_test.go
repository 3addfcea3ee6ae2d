package commands

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// counter counts what is open at once and remembers the most.
type counter struct {
	mu        sync.Mutex
	open, max int
}

func (c *counter) add(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.open += n
	c.max = max(c.max, c.open)
}

func (c *counter) most() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.max
}

// connListener counts the HTTP connections a server has open at once,
// from the first bytes of a request until the server is done with the
// connection. The server answers one request per connection (Connection:
// close) and counts the connection closed before the client can read the
// answer, so that the count never lags behind the client's next
// connection: each connection counts only while the client holds it.
//
// It hangs up at once on a TLS hello, without counting it:
// go-containerregistry pings a loopback host over HTTPS and HTTP at once,
// and the HTTPS attempt is no load on a registry that serves HTTP.
type connListener struct {
	net.Listener
	counter
}

func (l *connListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countedConn{Conn: c, l: l}, nil
}

type countedConn struct {
	net.Conn
	l             *connListener
	read, counted bool
	once          sync.Once
}

// done counts the connection closed, once.
func (c *countedConn) done() {
	c.once.Do(func() {
		if c.counted {
			c.l.add(-1)
		}
	})
}

func (c *countedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if !c.read && n > 0 {
		c.read = true
		if p[0] == 0x16 { // a TLS handshake record
			c.Close()
			return 0, io.EOF
		}
		c.counted = true
		c.l.add(1)
	}
	return n, err
}

func (c *countedConn) Close() error {
	c.done()
	return c.Conn.Close()
}

type connKey struct{}

// TestRegistriesCheckConcurrency: hoist registries check of 2,000
// integrations on one registry keeps at most 16 connections open and 16
// requests in flight (the default --concurrency), and every check passes;
// --concurrency 4 keeps 4.
func TestRegistriesCheckConcurrency(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args     []string
		n, limit int
	}{
		{nil, 2000, 16},
		{[]string{"--concurrency", "4"}, 200, 4},
	} {
		t.Run(fmt.Sprint(tc.limit), func(t *testing.T) {
			t.Parallel()
			var requests counter
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.add(1)
				time.Sleep(time.Millisecond)
				w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
				w.Header().Set("Connection", "close")
				requests.add(-1)
				r.Context().Value(connKey{}).(*countedConn).done()
			}))
			conns := &connListener{Listener: srv.Listener}
			srv.Listener = conns
			srv.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
				return context.WithValue(ctx, connKey{}, c)
			}
			srv.Start()
			defer srv.Close()
			var b strings.Builder
			b.WriteString("registries:\n")
			for i := range tc.n {
				fmt.Fprintf(&b, "  - name: r%d\n    provider: other\n    domain: %s\n    insecure: true\n", i, srv.Listener.Addr())
			}
			file := filepath.Join(writeFiles(t, map[string]string{"registries.yaml": b.String()}), "registries.yaml")
			r := hoist(t, append([]string{"registries", "check", "--registries", file}, tc.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d, stderr %q, first lines:\n%s", r.code, r.stderr, head(r.stdout, 5))
			}
			if ok := strings.Count(r.stdout, "ok: reachable, anonymous"); ok != tc.n {
				t.Errorf("%d of %d checks passed; first lines:\n%s", ok, tc.n, head(r.stdout, 5))
			}
			if got := conns.most(); got > tc.limit {
				t.Errorf("at most %d connections were open at once, want at most %d", got, tc.limit)
			}
			if got := requests.most(); got > tc.limit {
				t.Errorf("at most %d requests were in flight at once, want at most %d", got, tc.limit)
			}
		})
	}
}

// head returns the first n lines of s.
func head(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
