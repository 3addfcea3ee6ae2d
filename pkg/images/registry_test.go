package images

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/pkg/registries"
	"github.com/hoist-build/hoist/pkg/trace"
)

// Trace labels as hoist's builds set them.
const (
	labelRevision = trace.Revision
	labelBranch   = trace.Branch
	labelBuildID  = "io.hoist.build-id"
	labelCreated  = "org.opencontainers.image.created"
)

// downHost is a loopback address where nothing listens.
const downHost = "127.0.0.1:1"

// serve starts an in-process registry, behind wrap when it is not nil, and
// returns its 127.0.0.1:PORT.
func serve(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

// basicAuth refuses every request without user and password, as a
// registry with htpasswd auth does.
func basicAuth(user, password string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// refuse answers status to every request whose path starts with prefix.
func refuse(prefix string, status int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, prefix) {
				http.Error(w, http.StatusText(status), status)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// pageLog records the tag list pages a registry was asked for.
type pageLog struct {
	mu    sync.Mutex
	pages []string
}

func (l *pageLog) add(uri string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pages = append(l.pages, uri)
}

func (l *pageLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.pages...)
}

// paged sends tag lists in pages of the n the client asks for, with a Link
// header to the next page, as the distribution spec describes (the
// in-process registry cuts the list at n and sends no Link), and records
// each page in pages.
func paged(pages *pageLog) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, err := strconv.Atoi(r.URL.Query().Get("n"))
			if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/tags/list") || err != nil || n <= 0 {
				next.ServeHTTP(w, r)
				return
			}
			pages.add(r.URL.RequestURI())
			all := r.Clone(r.Context())
			all.URL.RawQuery = url.Values{"last": r.URL.Query()["last"]}.Encode()
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, all)
			var list struct {
				Name string   `json:"name"`
				Tags []string `json:"tags"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &list); rec.Code != http.StatusOK || err != nil {
				w.WriteHeader(rec.Code)
				w.Write(rec.Body.Bytes())
				return
			}
			if len(list.Tags) > n {
				list.Tags = list.Tags[:n]
				next := url.Values{"n": {strconv.Itoa(n)}, "last": {list.Tags[n-1]}}
				w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, next.Encode()))
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(list)
		})
	}
}

// labelled returns a small random linux/amd64 image with labels, created
// at created.
func labelled(t *testing.T, created time.Time, labels map[string]string) v1.Image {
	t.Helper()
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Created = v1.Time{Time: created}
	cf.Config.Labels = labels
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// traceLabels returns the labels of an image hoist did not build.
func traceLabels(revision, branch string) map[string]string {
	return map[string]string{labelRevision: revision, labelBranch: branch}
}

// push writes img to every ref and returns its digest.
func push(t *testing.T, img v1.Image, auth authn.Authenticator, refs ...string) string {
	t.Helper()
	for _, ref := range refs {
		r, err := name.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(r, img, remote.WithAuth(auth)); err != nil {
			t.Fatalf("writing %s: %v", ref, err)
		}
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// sizeOf is what an image's manifest says its blobs weigh.
func sizeOf(t *testing.T, img v1.Image) int64 {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	n := m.Config.Size
	for _, l := range m.Layers {
		n += l.Size
	}
	return n
}

// account loads a registries.yaml: its integrations, their clients and
// the credentials it gives, with an empty docker config.
func account(t *testing.T, yaml string) *registries.Account {
	t.Helper()
	cfg, err := registries.Load(strings.NewReader(yaml), "registries.yaml")
	if err != nil {
		t.Fatalf("registries.yaml: %v\n%s", err, yaml)
	}
	return registries.NewAccount(cfg, t.TempDir())
}
