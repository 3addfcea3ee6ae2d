package registries

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCheckAll: CheckAll checks every client, in order, with at most
// limit requests in flight, and closes each client's idle connections
// once it is checked: a registry that keeps connections alive sees every
// one closed.
func TestCheckAll(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var inFlight, most, conns int
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch s {
		case http.StateNew:
			conns++
		case http.StateClosed, http.StateHijacked:
			conns--
		}
	}
	srv.Start()
	defer srv.Close()
	const n, limit = 40, 4
	var b strings.Builder
	b.WriteString("registries:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - name: r%d\n    domain: %s\n    insecure: true\n", i, srv.Listener.Addr())
	}
	cfg, err := Load(strings.NewReader(b.String()), "r.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checks := CheckAll(t.Context(), NewAccount(cfg, t.TempDir()).Clients(), limit)
	for i, c := range checks {
		if c.Integration.Name != fmt.Sprintf("r%d", i) || c.Err != nil {
			t.Errorf("checks[%d] = %s, %v; want r%d, no error", i, c.Integration.Name, c.Err, i)
		}
	}
	mu.Lock()
	if most > limit {
		t.Errorf("%d requests were in flight at once, want at most %d", most, limit)
	}
	mu.Unlock()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		open := conns
		mu.Unlock()
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still open after CheckAll returned", open)
		}
	}
}

// TestCheckAllCancelled: once ctx is done, the clients not yet checked
// fail with its cause, at once.
func TestCheckAllCancelled(t *testing.T) {
	t.Parallel()
	cfg, err := Load(strings.NewReader("registries:\n  - name: a\n    domain: 127.0.0.1:1\n  - name: b\n    domain: 127.0.0.1:1\n"), "r.yaml")
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stopped")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(stop)
	for _, c := range CheckAll(ctx, NewAccount(cfg, t.TempDir()).Clients(), 1) {
		if c.Err == nil {
			t.Errorf("check of %s after cancel: no error", c.Integration.Name)
		}
	}
}
