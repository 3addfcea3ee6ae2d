package stack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Proxy is an HTTP proxy in front of a real registry that can refuse
// chosen requests and records every request it saw.
type Proxy struct {
	// Host is the proxy's 127.0.0.1:PORT.
	Host string
	srv  *httptest.Server

	// Paginate makes the proxy answer tag lists in pages of the size the
	// client asks for (n=), with Link headers to the next page, as the
	// distribution spec describes, whatever the registry behind does.
	Paginate bool

	// BytesIn counts the request body bytes the proxy passed on.
	BytesIn atomic.Int64

	mu       sync.Mutex
	requests []string
	fail     func(*http.Request) int
	handle   func(w http.ResponseWriter, r *http.Request, pass http.Handler)
}

// ResetConnection, returned by a proxy's fail function, closes the
// connection without an answer, as a reset does.
const ResetConnection = -1

// StartProxy starts a proxy to the registry at host. fail, when not nil,
// returns a status to answer a request with instead of passing it on (0
// passes it on).
func StartProxy(host string, fail func(*http.Request) int) *Proxy {
	return startProxy(host, fail, false)
}

// StartHandlerProxy starts a proxy to the registry at host that hands
// every request to handle, with pass, which forwards a request to the
// registry and writes its answer. handle may hold a request before or
// after passing it on (into a recorder, say), or answer it itself.
func StartHandlerProxy(host string, handle func(w http.ResponseWriter, r *http.Request, pass http.Handler)) *Proxy {
	p := startProxy(host, nil, false)
	p.mu.Lock()
	p.handle = handle
	p.mu.Unlock()
	return p
}

// StartPagingProxy is StartProxy with Paginate set.
func StartPagingProxy(host string, fail func(*http.Request) int) *Proxy {
	return startProxy(host, fail, true)
}

func startProxy(host string, fail func(*http.Request) int, paginate bool) *Proxy {
	target := &url.URL{Scheme: "http", Host: host}
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &Proxy{fail: fail, Paginate: paginate}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.requests = append(p.requests, r.Method+" "+r.URL.RequestURI())
		p.mu.Unlock()
		if p.fail != nil {
			if code := p.fail(r); code == ResetConnection {
				if hj, ok := w.(http.Hijacker); ok {
					if conn, _, err := hj.Hijack(); err == nil {
						conn.Close()
						return
					}
				}
			} else if code != 0 {
				http.Error(w, http.StatusText(code), code)
				return
			}
		}
		if p.Paginate && r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/tags/list") && r.URL.Query().Get("n") != "" {
			p.paginate(w, r, target)
			return
		}
		pass := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Body != nil {
				r.Body = &countBody{r.Body, &p.BytesIn}
			}
			rp.ServeHTTP(w, r)
		})
		p.mu.Lock()
		handle := p.handle
		p.mu.Unlock()
		if handle != nil {
			handle(w, r, pass)
			return
		}
		pass.ServeHTTP(w, r)
	}))
	p.Host = strings.TrimPrefix(p.srv.URL, "http://")
	return p
}

// Requests returns the requests seen so far whose "METHOD URI" contains s.
func (p *Proxy) Requests(s string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, r := range p.requests {
		if strings.Contains(r, s) {
			out = append(out, r)
		}
	}
	return out
}

// Close stops the proxy.
func (p *Proxy) Close() { p.srv.Close() }

// paginate answers a tag list request with one page of the registry's full
// list, and a Link header when more follow.
func (p *Proxy) paginate(w http.ResponseWriter, r *http.Request, target *url.URL) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n <= 0 {
		http.Error(w, "bad n", http.StatusBadRequest)
		return
	}
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, target.String()+r.URL.Path, nil)
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
		return
	}
	var list struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	sort.Strings(list.Tags)
	start := 0
	if last := r.URL.Query().Get("last"); last != "" {
		start = sort.SearchStrings(list.Tags, last)
		if start < len(list.Tags) && list.Tags[start] == last {
			start++
		}
	}
	end := min(start+n, len(list.Tags))
	page := list.Tags[start:end]
	if end < len(list.Tags) {
		next := url.Values{"n": {strconv.Itoa(n)}, "last": {page[len(page)-1]}}
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, next.Encode()))
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}{list.Name, page})
}

type countBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}
