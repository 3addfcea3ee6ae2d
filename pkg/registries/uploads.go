package registries

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// cancelTimeout bounds the DELETE that cancels a failed upload session.
const cancelTimeout = 5 * time.Second

// uploads remembers the blob upload sessions a registry opened and has not
// closed yet: a POST to /blobs/uploads/ answered 202 with a Location, moved
// on by each PATCH's Location, closed by the PUT that commits the blob.
// go-containerregistry starts a new session when it retries a failed
// upload and leaves the old one open at the registry; the transport
// cancels it.
type uploads struct {
	mu   sync.Mutex
	open map[string]bool
}

// sessionKey names a session by its location's host and path; the query
// (the registry's upload state) changes with every PATCH.
func sessionKey(u *url.URL) string { return u.Host + u.Path }

// answered notes a successful answer to req: a session opened or moved on,
// or closed.
func (u *uploads) answered(req *http.Request, resp *http.Response) {
	switch req.Method {
	case http.MethodPost, http.MethodPatch:
		if resp.StatusCode != http.StatusAccepted || !strings.Contains(req.URL.Path, "/blobs/uploads/") {
			return
		}
		loc, err := req.URL.Parse(resp.Header.Get("Location"))
		if err != nil || resp.Header.Get("Location") == "" {
			return
		}
		u.mu.Lock()
		defer u.mu.Unlock()
		if u.open == nil {
			u.open = map[string]bool{}
		}
		if req.Method == http.MethodPatch {
			delete(u.open, sessionKey(req.URL))
		}
		u.open[sessionKey(loc)] = true
	case http.MethodPut:
		u.mu.Lock()
		delete(u.open, sessionKey(req.URL))
		u.mu.Unlock()
	}
}

// take reports whether req went to an open session, and forgets it.
func (u *uploads) take(req *http.Request) bool {
	if req.Method != http.MethodPatch && req.Method != http.MethodPut {
		return false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	k := sessionKey(req.URL)
	if !u.open[k] {
		return false
	}
	delete(u.open, k)
	return true
}

// uploadFailed cancels the session req went to, when it went to one: a
// DELETE to its location, with req's credentials, best effort and within
// cancelTimeout (or the stall limit, when shorter), whatever the answer.
func (t *registryTransport) uploadFailed(req *http.Request) {
	if !t.uploads.take(req) {
		return
	}
	loc := *req.URL
	q := loc.Query()
	q.Del("digest")
	loc.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(req.Context()), min(cancelTimeout, t.net.Stall))
	defer cancel()
	del, err := http.NewRequestWithContext(ctx, http.MethodDelete, loc.String(), nil)
	if err != nil {
		return
	}
	if a := req.Header.Get("Authorization"); a != "" {
		del.Header.Set("Authorization", a)
	}
	resp, err := t.next.RoundTrip(del)
	if err != nil {
		return
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}
