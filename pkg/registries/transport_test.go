package registries

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// testNet is a network policy with short waits, for tests.
var testNet = Network{Retries: 2, MaxWait: time.Second, Stall: 500 * time.Millisecond}

// bigLayer is larger than what the kernel buffers on a loopback
// connection, so a server that stops reading stops the upload.
func bigLayer(t *testing.T) v1.Layer {
	t.Helper()
	return static.NewLayer(bytes.Repeat([]byte("hoist"), 16<<20/5), types.DockerLayer)
}

// TestStallUpload: a registry that reads part of every upload and then
// stops reading gets each try given up after the stall limit, the try's
// upload session cancelled, and the write fails with the stall, all
// within the stall limit times the tries plus the backoff: no hang.
func TestStallUpload(t *testing.T) {
	t.Parallel()
	var s *testServer
	s = newTestServer(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPatch {
			return false
		}
		s.stallBody(r, 256<<10)
		return true
	})
	acct := testAccount(t, "registries:\n  - name: slow\n    domain: "+s.host+"\n    insecure: true\n", testNet)
	c, _ := acct.Get("slow")
	repo, _ := c.Repository("stall/up")
	opts, err := c.Options(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = remote.WriteLayer(repo, bigLayer(t), opts...)
	elapsed := time.Since(start)
	t.Logf("WriteLayer failed after %s: %v", elapsed, err)
	if !errors.Is(err, ErrStalled) || !Retryable(err) {
		t.Fatalf("WriteLayer = %v, want a stall, retryable", err)
	}
	tries := testNet.Retries + 1
	if min, max := time.Duration(tries)*testNet.Stall, time.Duration(tries)*testNet.Stall+time.Duration(testNet.Retries)*testNet.MaxWait+2*time.Second; elapsed < min || elapsed > max {
		t.Errorf("WriteLayer took %s, want between %s (every try waits out the stall) and %s", elapsed, min, max)
	}
	patches, deletes := s.requests(http.MethodPatch, "/blobs/uploads/"), s.requests(http.MethodDelete, "/blobs/uploads/")
	if len(patches) != tries || len(deletes) != tries {
		t.Fatalf("%d PATCH and %d DELETE requests, want %d of each", len(patches), len(deletes), tries)
	}
	for i := range patches {
		if deletes[i].path != patches[i].path || deletes[i].query != patches[i].query {
			t.Errorf("DELETE %s?%s, want the session of PATCH %s?%s", deletes[i].path, deletes[i].query, patches[i].path, patches[i].query)
		}
	}
	if e := Explain(c.Integration, err); !strings.HasPrefix(e.Error(), `registry "slow" (`+s.host+`): stalled: no bytes for 500ms while sending the request`) {
		t.Errorf("Explain = %q", e)
	}
}

// TestStallDownload: a blob download that stops mid-way fails within the
// stall limit with a retryable stall; the next read of the blob works.
func TestStallDownload(t *testing.T) {
	t.Parallel()
	var gets atomic.Int32
	var s *testServer
	s = newTestServer(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/blobs/sha256:") || gets.Add(1) > 1 {
			return false
		}
		w.Header().Set("Content-Length", fmt.Sprint(16<<20))
		w.WriteHeader(http.StatusOK)
		w.Write(make([]byte, 256<<10))
		w.(http.Flusher).Flush()
		<-s.stop
		return true
	})
	acct := testAccount(t, "registries:\n  - name: slow\n    domain: "+s.host+"\n    insecure: true\n", testNet)
	c, _ := acct.Get("slow")
	repo, _ := c.Repository("stall/down")
	opts, _ := c.Options(context.Background())
	layer := bigLayer(t)
	if err := remote.WriteLayer(repo, layer, opts...); err != nil {
		t.Fatal(err)
	}
	d, _ := layer.Digest()
	read := func() (int64, error) {
		l, err := remote.Layer(repo.Digest(d.String()), opts...)
		if err != nil {
			return 0, err
		}
		rc, err := l.Compressed()
		if err != nil {
			return 0, err
		}
		defer rc.Close()
		return io.Copy(io.Discard, rc)
	}
	start := time.Now()
	n, err := read()
	elapsed := time.Since(start)
	t.Logf("first read: %d bytes, then after %s: %v", n, elapsed, err)
	if !errors.Is(err, ErrStalled) || !Retryable(err) || !strings.Contains(err.Error(), "while receiving the answer") {
		t.Fatalf("read = %v, want a retryable stall while receiving", err)
	}
	if elapsed < testNet.Stall || elapsed > testNet.Stall+2*time.Second {
		t.Errorf("the stalled read ended after %s, want about %s", elapsed, testNet.Stall)
	}
	if n, err := read(); err != nil || n != 16<<20/5*5 {
		t.Errorf("second read = %d, %v; want the whole blob", n, err)
	}
}

// TestRetryAfter: a 429 with Retry-After holds the retry back as long as
// the registry asked, up to MaxWait (TestRetryAfterValue reads dates).
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		value       func() string
		maxWait     time.Duration
		least, most time.Duration
	}{
		{"seconds", func() string { return "2" }, 30 * time.Second, 2 * time.Second, 4 * time.Second},
		{"capped", func() string { return "3600" }, time.Second, time.Second, 3 * time.Second},
		{"none", func() string { return "" }, 30 * time.Second, 0, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var limited atomic.Int32
			var on atomic.Bool
			s := newTestServer(t, func(w http.ResponseWriter, r *http.Request) bool {
				if !on.Load() || !strings.Contains(r.URL.Path, "/manifests/") || r.Method != http.MethodHead || limited.Add(1) > 1 {
					return false
				}
				if v := tc.value(); v != "" {
					w.Header().Set("Retry-After", v)
				}
				w.WriteHeader(http.StatusTooManyRequests)
				return true
			})
			acct := testAccount(t, "registries:\n  - name: busy\n    domain: "+s.host+"\n    insecure: true\n", Network{Retries: 2, MaxWait: tc.maxWait, Stall: 5 * time.Second})
			c, _ := acct.Get("busy")
			repo, _ := c.Repository("limit/me")
			opts, _ := c.Options(context.Background())
			img, _ := random.Image(1024, 1)
			if err := remote.Write(repo.Tag("v1"), img, opts...); err != nil {
				t.Fatal(err)
			}
			on.Store(true)
			start := time.Now()
			_, err := remote.Head(repo.Tag("v1"), opts...)
			elapsed := time.Since(start)
			t.Logf("Retry-After %q: HEAD answered after %s", tc.value(), elapsed)
			if err != nil || limited.Load() != 2 {
				t.Fatalf("HEAD = %v after %d tries; want success on the second", err, limited.Load())
			}
			if elapsed < tc.least || elapsed > tc.most {
				t.Errorf("HEAD took %s, want %s to %s", elapsed, tc.least, tc.most)
			}
		})
	}
}

func TestRetryAfterValue(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"8", 8 * time.Second, true},
		{" 0 ", 0, true},
		{"Tue, 24 Nov 2026 10:00:30 GMT", 30 * time.Second, true},
		{"Tue, 24 Nov 2026 09:00:00 GMT", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	} {
		if got, ok := retryAfter(tc.v, now); got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

// TestUploadCancelled: a PATCH the registry fails cancels its session with
// a DELETE to the session's location, carrying the upload's credentials.
func TestUploadCancelled(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPatch {
			io.Copy(io.Discard, r.Body)
			http.Error(w, "disk full", http.StatusInternalServerError)
			return true
		}
		return false
	})
	acct := testAccount(t, "registries:\n  - name: r\n    domain: "+s.host+"\n    insecure: true\n    username: u\n    password: pa55\n", Network{Retries: 1, MaxWait: time.Second, Stall: 5 * time.Second})
	c, _ := acct.Get("r")
	repo, _ := c.Repository("cancel/me")
	opts, _ := c.Options(context.Background())
	img, _ := random.Image(4096, 1)
	err := remote.Write(repo.Tag("v1"), img, opts...)
	if err == nil {
		t.Fatal("the write succeeded, though every PATCH fails")
	}
	patches, deletes := s.requests(http.MethodPatch, ""), s.requests(http.MethodDelete, "")
	if len(patches) == 0 || len(deletes) != len(patches) {
		t.Fatalf("%d PATCH, %d DELETE requests; want one DELETE per failed PATCH", len(patches), len(deletes))
	}
	patched := map[string]string{}
	for _, p := range patches {
		patched[p.path] = p.authorization
	}
	for _, d := range deletes {
		if auth, ok := patched[d.path]; !ok || d.authorization == "" || d.authorization != auth {
			t.Errorf("DELETE %s (authorization %q), want a failed PATCH's session, with its credentials", d.path, d.authorization)
		}
		delete(patched, d.path)
	}
	// A session that completes is not cancelled.
	s2 := newTestServer(t, nil)
	acct2 := testAccount(t, "registries:\n  - name: r\n    domain: "+s2.host+"\n    insecure: true\n", testNet)
	c2, _ := acct2.Get("r")
	repo2, _ := c2.Repository("keep/me")
	opts2, _ := c2.Options(context.Background())
	if err := remote.Write(repo2.Tag("v1"), img, opts2...); err != nil {
		t.Fatal(err)
	}
	if d := s2.requests(http.MethodDelete, ""); len(d) != 0 {
		t.Errorf("a good upload sent %d DELETE requests", len(d))
	}
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	stall := &stallError{idle: time.Second, phase: phaseSend}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{stall, true},
		{fmt.Errorf("reading source blob: %w", stall), true},
		{io.ErrUnexpectedEOF, true},
		{&Error{Registry: "x", Err: &plainHTTP{path: "/v2/"}}, false},
		{context.DeadlineExceeded, false},
		{context.Canceled, false},
		{errors.New("manifest invalid"), false},
		{nil, false},
	} {
		if got := Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		net        Network
		steps      int
		first      time.Duration
		lastAtMost time.Duration
	}{
		{DefaultNetwork(), 6, 250 * time.Millisecond, 4400 * time.Millisecond}, // 4 s, plus jitter
		{Network{Retries: 12, MaxWait: 60 * time.Second}, 13, 250 * time.Millisecond, 60 * time.Second},
		{Network{Retries: 3, MaxWait: 100 * time.Millisecond}, 4, 90 * time.Millisecond, 100 * time.Millisecond},
		{Network{Retries: 0, MaxWait: time.Minute}, 1, 250 * time.Millisecond, 0},
	} {
		b := tc.net.Backoff()
		if b.Steps != tc.steps || b.Duration.Round(10*time.Millisecond) != tc.first {
			t.Errorf("%+v: Backoff() = %+v, want %d steps from %s", tc.net, b, tc.steps, tc.first)
		}
		if tc.net.Retries > 0 {
			last := time.Duration(float64(b.Duration) * math.Pow(b.Factor, float64(tc.net.Retries-1)) * (1 + b.Jitter))
			if last > tc.lastAtMost+time.Millisecond {
				t.Errorf("%+v: the last wait may be %s, want at most %s", tc.net, last, tc.lastAtMost)
			}
		}
	}
}
