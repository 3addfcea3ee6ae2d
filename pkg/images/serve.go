package images

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hoist-build/hoist/pkg/registries"
)

//go:embed web/index.html
var web embed.FS

// ServeOptions configure the image server.
type ServeOptions struct {
	// Options select the registries and repositories the server lists.
	Options
	// TTL is how long a listing is served before the registries are read
	// again; 30s when 0.
	TTL time.Duration
	// MaxDigests bounds the digests whose details are kept between
	// listings; 50000 when 0.
	MaxDigests int
}

// Server serves the image view, read-only: GET /api/images (the listing,
// with filters as query parameters), GET /api/images/{digest} (one image,
// everywhere it is stored) and GET / (the page). Listings are cached for
// TTL; one refresh at a time reads every registry at once. Credentials
// stay on the server: responses hold what hoist images -o json shows.
type Server struct {
	acct *registries.Account
	opts ServeOptions

	mu     sync.Mutex
	cached *Listing
	// good is the last listing that a refresh read, at goodAt.
	good    *Listing
	goodAt  time.Time
	err     error
	at      time.Time
	pending chan struct{}
	s       *session
}

// NewServer returns a server for acct's registries.
func NewServer(acct *registries.Account, opts ServeOptions) *Server {
	if opts.TTL <= 0 {
		opts.TTL = 30 * time.Second
	}
	if opts.MaxDigests <= 0 {
		opts.MaxDigests = 50000
	}
	return &Server{acct: acct, opts: opts}
}

// APIListing is the JSON of GET /api/images.
type APIListing struct {
	Images []*Image `json:"images"`
	// Warnings are one line per registry that could not be listed.
	Warnings []string `json:"warnings"`
	// Refreshed is when the registries were read.
	Refreshed time.Time `json:"refreshed"`
}

// APIImage is the JSON of GET /api/images/{digest}.
type APIImage struct {
	Image     *Image    `json:"image"`
	Refreshed time.Time `json:"refreshed"`
}

// Listing returns the cached listing, reading the registries when it is
// older than the TTL. Callers that arrive during a refresh wait for it.
func (srv *Server) Listing(ctx context.Context) (*Listing, time.Time, error) {
	for {
		srv.mu.Lock()
		if srv.cached != nil && time.Since(srv.at) < srv.opts.TTL {
			l, at := srv.cached, srv.at
			srv.mu.Unlock()
			return l, at, nil
		}
		if wait := srv.pending; wait != nil {
			srv.mu.Unlock()
			select {
			case <-wait:
				srv.mu.Lock()
				l, at, err := srv.cached, srv.at, srv.err
				srv.mu.Unlock()
				if l != nil || err != nil {
					return l, at, err
				}
				continue
			case <-ctx.Done():
				return nil, time.Time{}, ctx.Err()
			}
		}
		done := make(chan struct{})
		srv.pending = done
		if srv.s == nil || len(srv.s.details) > srv.opts.MaxDigests {
			srv.s = newSession(srv.acct, 0)
		}
		s := srv.s
		srv.mu.Unlock()

		opts := srv.opts.Options
		opts.session = s
		// A refresh outlives the request that started it: others wait on it.
		l, err := List(context.WithoutCancel(ctx), srv.acct, opts)
		now := time.Now()
		srv.mu.Lock()
		at := now
		switch {
		case err == nil:
			srv.cached, srv.at, srv.err = l, now, nil
			srv.good, srv.goodAt = l, now
		case srv.good != nil:
			// Every registry failed: keep serving the last listing, saying
			// so, and try again after another TTL.
			stale := *srv.good
			stale.Warnings = append(append([]string(nil), srv.good.Warnings...), fmt.Sprintf("refreshing failed (%v); this is the listing of %s", err, srv.goodAt.UTC().Format(time.RFC3339)))
			l, at, err = &stale, srv.goodAt, nil
			srv.cached, srv.at, srv.err = &stale, now, nil
		default:
			srv.err = err
		}
		srv.pending = nil
		srv.mu.Unlock()
		close(done)
		return l, at, err
	}
}

// ServeHTTP answers the API and the page.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "read-only", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	switch {
	case r.URL.Path == "/" || r.URL.Path == "/index.html":
		page, _ := web.ReadFile("web/index.html")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'")
		w.Write(page)
	case r.URL.Path == "/api/images":
		srv.list(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/images/"):
		srv.one(w, r, strings.TrimPrefix(r.URL.Path, "/api/images/"))
	default:
		http.NotFound(w, r)
	}
}

func (srv *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	filters, ok := ParseFilters(q["filter"])
	if !ok {
		apiError(w, http.StatusBadRequest, "filter: want KEY=VALUE")
		return
	}
	l, at, err := srv.Listing(r.Context())
	if err != nil {
		apiError(w, http.StatusBadGateway, err.Error())
		return
	}
	out := APIListing{Images: []*Image{}, Warnings: l.Warnings, Refreshed: at}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	regs := q["registry"]
	for _, im := range l.Images {
		if d := q.Get("digest"); d != "" && im.Digest != d {
			continue
		}
		if n := q.Get("name"); n != "" && !strings.Contains(im.Name, n) {
			continue
		}
		if len(regs) > 0 && !anyIn(im.Registries(), regs) {
			continue
		}
		if !im.Matches(filters) {
			continue
		}
		out.Images = append(out.Images, im)
	}
	writeJSON(w, out)
}

func (srv *Server) one(w http.ResponseWriter, r *http.Request, digest string) {
	l, at, err := srv.Listing(r.Context())
	if err != nil {
		apiError(w, http.StatusBadGateway, err.Error())
		return
	}
	var im *Image
	for _, c := range l.Images {
		if c.Digest != digest {
			continue
		}
		if im == nil {
			cp := *c
			cp.Locations = append([]Location(nil), c.Locations...)
			im = &cp
			continue
		}
		im.Locations = append(im.Locations, c.Locations...) // the same digest under other names
	}
	if im == nil {
		apiError(w, http.StatusNotFound, digest+" is in none of the registries")
		return
	}
	writeJSON(w, APIImage{Image: im, Refreshed: at})
}

func anyIn(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
