package images

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// counting counts the requests a registry gets.
func counting(n *atomic.Int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			next.ServeHTTP(w, r)
		})
	}
}

// TestServer: the API lists and filters images from a cache that one
// refresh fills, however many requests arrive at once; a digest's page
// says where it is; the server is read-only and never shows a password.
func TestServer(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	const canary = "canary-Pa55-9f1c"
	one := serve(t, counting(&hits))
	two, three := serve(t, basicAuth("viewer", canary)), serve(t, basicAuth("viewer", canary))
	img := labelled(t, time.Time{}, traceLabels("aaaa", "main"))
	x := push(t, img, authn.Anonymous, one+"/app:v1")
	push(t, img, &authn.Basic{Username: "viewer", Password: canary}, two+"/app:prod")
	y := push(t, labelled(t, time.Time{}, traceLabels("bbbb", "dev")), authn.Anonymous, one+"/web:v2")
	annotate(t, one+"/app:v1", map[string]string{"qa": "passed"}, time.Now())
	acct := account(t, fmt.Sprintf("registries:\n  - name: one\n    domain: %s\n    insecure: true\n  - name: two\n    domain: %s\n    insecure: true\n    username: viewer\n    password: %s\n  - name: wrong\n    domain: %s\n    insecure: true\n    username: viewer\n    password: %s-wrong\n", one, two, canary, three, canary))
	srv := httptest.NewServer(NewServer(acct, ServeOptions{TTL: time.Minute}))
	t.Cleanup(srv.Close)

	get := func(path string, v any) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if strings.Contains(string(body), canary) {
			t.Errorf("GET %s shows the password:\n%s", path, body)
		}
		if v != nil {
			if err := json.Unmarshal(body, v); err != nil {
				t.Fatalf("GET %s: %v\n%s", path, err, body)
			}
		}
		return resp.StatusCode, string(body)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var l APIListing
			if code, _ := get("/api/images", &l); code != http.StatusOK || len(l.Images) != 2 {
				t.Errorf("GET /api/images = %d, %d images; want 200, 2", code, len(l.Images))
			}
		}()
	}
	wg.Wait()
	first := hits.Load()
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{x, y}},
		{"?filter=qa=passed", []string{x}},
		{"?filter=io.hoist.branch=dev", []string{y}},
		{"?registry=two", []string{x}},
		{"?name=we", []string{y}},
		{"?digest=" + y, []string{y}},
	} {
		var l APIListing
		get("/api/images"+tc.query, &l)
		var got []string
		for _, im := range l.Images {
			got = append(got, im.Digest)
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("GET /api/images%s = %v, want %v", tc.query, got, tc.want)
		}
		if len(l.Warnings) != 1 || !strings.Contains(l.Warnings[0], `"wrong"`) {
			t.Errorf("GET /api/images%s warnings = %q, want one about wrong", tc.query, l.Warnings)
		}
	}
	if hits.Load() != first {
		t.Errorf("registry requests after the first listing = %d, want none (cached)", hits.Load()-first)
	}
	var one1 APIImage
	if code, _ := get("/api/images/"+x, &one1); code != http.StatusOK || len(one1.Image.Locations) != 2 || one1.Image.Metadata["qa"] != "passed" {
		t.Errorf("GET /api/images/%s = %d, %+v; want 200, in one and two, qa=passed", x, code, one1.Image)
	}
	if code, _ := get("/api/images/sha256:"+strings.Repeat("0", 64), nil); code != http.StatusNotFound {
		t.Errorf("GET of an unknown digest = %d, want 404", code)
	}
	if code, body := get("/", nil); code != http.StatusOK || !strings.Contains(body, "<title>hoist images</title>") {
		t.Errorf("GET / = %d, want the page", code)
	}
	resp, err := http.Post(srv.URL+"/api/images", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/images = %d, want 405", resp.StatusCode)
	}
}

// TestServerStale: when every registry fails a refresh, the last listing
// is still served, with a warning that says how old it is.
func TestServerStale(t *testing.T) {
	t.Parallel()
	var down atomic.Bool
	host := serve(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if down.Load() {
				http.Error(w, "down", http.StatusForbidden) // not retried
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	d := push(t, labelled(t, time.Time{}, nil), authn.Anonymous, host+"/app:v1")
	srv := NewServer(account(t, "registries:\n  - name: r\n    domain: "+host+"\n    insecure: true\n"), ServeOptions{TTL: time.Millisecond})
	l, _, err := srv.Listing(t.Context())
	if err != nil || len(l.Images) != 1 {
		t.Fatalf("Listing() = %v, %v; want app", l, err)
	}
	down.Store(true)
	time.Sleep(5 * time.Millisecond)
	l, _, err = srv.Listing(t.Context())
	if err != nil || len(l.Images) != 1 || l.Images[0].Digest != d || len(l.Warnings) != 1 || !strings.Contains(l.Warnings[0], "refreshing failed") {
		t.Errorf("Listing() with the registry down = %+v, %v; want the last listing and one warning", l, err)
	}
}
