package stack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
)

// ProviderAPI is a stand-in for the providers' repository listing APIs,
// written from their public API references, on a loopback port: Docker
// Hub's POST /v2/auth/token and GET /v2/namespaces/{ns}/repositories
// (pages linked by next), and GitHub's GET /orgs/{org}/packages
// ?package_type=container (pages linked by Link headers).
type ProviderAPI struct {
	// URL is the base URL, http://127.0.0.1:PORT.
	URL string
	// HubPages and GitHubPages count the list pages served.
	HubPages, GitHubPages atomic.Int64
	srv                   *httptest.Server
}

// StartProviderAPI serves repos, pageSize at a time, for the Docker Hub
// namespace and GitHub organisation owner; Docker Hub takes user and
// password, GitHub the token password.
func StartProviderAPI(owner, user, password string, repos []string, pageSize int) *ProviderAPI {
	p := &ProviderAPI{}
	page := func(r *http.Request) (int, int, int) {
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		n = max(n, 1)
		lo := min((n-1)*pageSize, len(repos))
		return n, lo, min(lo+pageSize, len(repos))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/auth/token", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Identifier, Secret string }
		if json.NewDecoder(r.Body).Decode(&in) != nil || in.Identifier != user || in.Secret != password {
			http.Error(w, `{"detail":"incorrect authentication credentials"}`, http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"access_token": "hub-token-for-" + user})
	})
	mux.HandleFunc("GET /v2/namespaces/{ns}/repositories", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer hub-token-for-"+user || r.PathValue("ns") != owner {
			http.Error(w, `{"detail":"forbidden"}`, http.StatusForbidden)
			return
		}
		p.HubPages.Add(1)
		n, lo, hi := page(r)
		results := []map[string]any{}
		for _, name := range repos[lo:hi] {
			results = append(results, map[string]any{"name": name, "namespace": owner, "repository_type": "image"})
		}
		var next any
		if hi < len(repos) {
			next = fmt.Sprintf("http://%s%s?page=%d&page_size=%d", r.Host, r.URL.Path, n+1, pageSize)
		}
		json.NewEncoder(w).Encode(map[string]any{"count": len(repos), "next": next, "previous": nil, "results": results})
	})
	mux.HandleFunc("GET /orgs/{org}/packages", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+password || r.PathValue("org") != owner || r.URL.Query().Get("package_type") != "container" {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		p.GitHubPages.Add(1)
		n, lo, hi := page(r)
		out := []map[string]any{}
		for _, name := range repos[lo:hi] {
			out = append(out, map[string]any{"name": name, "package_type": "container", "visibility": "private"})
		}
		if hi < len(repos) {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?package_type=container&per_page=%d&page=%d>; rel="next", <http://%s%s?page=1>; rel="first"`, r.Host, r.URL.Path, pageSize, n+1, r.Host, r.URL.Path))
		}
		json.NewEncoder(w).Encode(out)
	})
	p.srv = httptest.NewServer(mux)
	p.URL = p.srv.URL
	return p
}

// Close stops the stand-in.
func (p *ProviderAPI) Close() { p.srv.Close() }
