package stack

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
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
// chosen requests, or inject faults into them, and records every request
// it saw.
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
	// Conns counts the connections clients opened, TLS attempts that
	// never became a request included.
	Conns atomic.Int64

	mu         sync.Mutex
	requests   []string
	authorized []string
	answers    []string
	fault      func(*http.Request) Fault
	handle     func(w http.ResponseWriter, r *http.Request, pass http.Handler)
	// stop closes when the proxy closes: stalled requests end then.
	stop chan struct{}
}

// ResetConnection, returned by a proxy's fail function, closes the
// connection without an answer, as a reset does.
const ResetConnection = -1

// StartProxy starts a proxy to the registry at host. fail, when not nil,
// returns a status to answer a request with instead of passing it on (0
// passes it on).
func StartProxy(host string, fail func(*http.Request) int) *Proxy {
	return startProxy(host, failFault(fail), false, false)
}

// StartHandlerProxy starts a proxy to the registry at host that hands
// every request to handle, with pass, which forwards a request to the
// registry and writes its answer. handle may hold a request before or
// after passing it on (into a recorder, say), or answer it itself.
func StartHandlerProxy(host string, handle func(w http.ResponseWriter, r *http.Request, pass http.Handler)) *Proxy {
	p := startProxy(host, nil, false, false)
	p.mu.Lock()
	p.handle = handle
	p.mu.Unlock()
	return p
}

// StartPagingProxy is StartProxy with Paginate set.
func StartPagingProxy(host string, fail func(*http.Request) int) *Proxy {
	return startProxy(host, failFault(fail), true, false)
}

// StartFaultProxy starts a proxy to the registry at host that does to
// each request what fault returns for it. Its sockets have small receive
// buffers, so that a request body it stops reading soon stops the client.
func StartFaultProxy(host string, fault func(*http.Request) Fault) *Proxy {
	return startProxy(host, fault, false, true)
}

// failFault turns a fail function into a fault function.
func failFault(fail func(*http.Request) int) func(*http.Request) Fault {
	if fail == nil {
		return nil
	}
	return func(r *http.Request) Fault {
		switch code := fail(r); code {
		case 0:
			return Fault{}
		case ResetConnection:
			return Fault{Kind: Close}
		default:
			return Fault{Kind: Answer, Status: code}
		}
	}
}

func startProxy(host string, fault func(*http.Request) Fault, paginate, smallBuffers bool) *Proxy {
	target := &url.URL{Scheme: "http", Host: host}
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &Proxy{fault: fault, Paginate: paginate, stop: make(chan struct{})}
	rp.ModifyResponse = func(resp *http.Response) error {
		p.mu.Lock()
		p.answers = append(p.answers, resp.Request.Method+" "+resp.Request.URL.RequestURI()+" "+strconv.Itoa(resp.StatusCode))
		p.mu.Unlock()
		return nil
	}
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.requests = append(p.requests, r.Method+" "+r.URL.RequestURI())
		if r.Header.Get("Authorization") != "" {
			p.authorized = append(p.authorized, r.Method+" "+r.URL.RequestURI())
		}
		p.mu.Unlock()
		if p.fault != nil {
			f := p.fault(r)
			if f.Kind == StallAnswer {
				w = &stallWriter{ResponseWriter: w, left: f.After, stop: p.stop, done: r.Context().Done()}
			} else if f.Kind != PassOn {
				p.inject(w, r, f)
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
	p.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			p.Conns.Add(1)
		}
	}
	if smallBuffers {
		p.srv.Listener.Close()
		p.srv.Listener = smallBufferListener()
	}
	p.srv.Start()
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

// Answers returns, as "METHOD URI STATUS", the registry's answers to the
// requests passed on so far whose "METHOD URI" contains s.
func (p *Proxy) Answers(s string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, a := range p.answers {
		if strings.Contains(a[:strings.LastIndexByte(a, ' ')], s) {
			out = append(out, a)
		}
	}
	return out
}

// Authorized returns the requests seen so far that carried an
// Authorization header, as "METHOD URI".
func (p *Proxy) Authorized() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.authorized...)
}

// Close stops the proxy, ending stalled requests first.
func (p *Proxy) Close() {
	close(p.stop)
	p.srv.Close()
}

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
