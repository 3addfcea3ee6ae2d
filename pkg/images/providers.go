package images

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hoist-build/hoist/pkg/registries"
)

// maxPages bounds how many pages a provider's listing API is read for.
const maxPages = 100

// apiClient reaches the providers' listing APIs.
var apiClient = &http.Client{Timeout: 30 * time.Second}

// providerRepositories lists r's image names with its provider's API:
// Docker Hub's namespace repositories, or GitHub's container packages.
func (s *session) providerRepositories(ctx context.Context, r *registries.Integration, api string) ([]string, error) {
	user, password := r.Username, r.Password
	if r.PasswordEnv != "" {
		password = os.Getenv(r.PasswordEnv)
	}
	if user == "" { // docker's credentials for the domain
		auth, err := s.acct.Credentials.LookupRepo(r.Domain, r.Prefix)
		if err != nil {
			return nil, err
		}
		user, password = auth.Username, auth.Password
	}
	owner := r.Prefix
	if owner == "" {
		owner = user
	}
	owner, _, _ = strings.Cut(owner, "/")
	if owner == "" {
		return nil, fmt.Errorf("no namespace: set a prefix or a username")
	}
	api = strings.TrimSuffix(api, "/")
	switch r.Provider {
	case "ghcr":
		return githubPackages(ctx, api, owner, password)
	default:
		return hubRepositories(ctx, api, owner, user, password)
	}
}

// hubRepositories follows Docker Hub's GET /v2/namespaces/{ns}/repositories
// pages (next URLs), after a token from POST /v2/auth/token when a username
// is given.
func hubRepositories(ctx context.Context, api, ns, user, password string) ([]string, error) {
	token := ""
	if user != "" {
		body, _ := json.Marshal(map[string]string{"identifier": user, "secret": password})
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if _, err := getJSON(ctx, http.MethodPost, api+"/v2/auth/token", "", body, &tok); err != nil {
			return nil, fmt.Errorf("logging in: %w", err)
		}
		token = tok.AccessToken
	}
	next := api + "/v2/namespaces/" + url.PathEscape(ns) + "/repositories?page_size=100"
	var out []string
	for page := 0; next != "" && page < maxPages; page++ {
		var list struct {
			Next    *string `json:"next"`
			Results []struct {
				Name string `json:"name"`
			} `json:"results"`
		}
		if _, err := getJSON(ctx, http.MethodGet, next, token, nil, &list); err != nil {
			return nil, err
		}
		for _, r := range list.Results {
			out = append(out, r.Name)
		}
		next = ""
		if list.Next != nil {
			next = *list.Next
		}
	}
	return out, nil
}

// githubPackages follows GitHub's GET /orgs/{org}/packages?package_type=container
// pages (Link headers).
func githubPackages(ctx context.Context, api, org, token string) ([]string, error) {
	next := api + "/orgs/" + url.PathEscape(org) + "/packages?package_type=container&per_page=100"
	var out []string
	for page := 0; next != "" && page < maxPages; page++ {
		var list []struct {
			Name string `json:"name"`
		}
		h, err := getJSON(ctx, http.MethodGet, next, token, nil, &list)
		if err != nil {
			return nil, err
		}
		for _, p := range list {
			out = append(out, p.Name)
		}
		next = nextLink(h.Get("Link"))
	}
	return out, nil
}

// nextLink returns the rel="next" URL of a Link header.
func nextLink(link string) string {
	for _, part := range strings.Split(link, ",") {
		u, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if ok && strings.Contains(params, `rel="next"`) {
			return strings.Trim(strings.TrimSpace(u), "<>")
		}
	}
	return ""
}

// getJSON makes one API request and decodes its JSON answer into v.
func getJSON(ctx context.Context, method, u, token string, body []byte, v any) (http.Header, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := apiClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: HTTP %d", method, req.URL.Path, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(v); err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, req.URL.Path, err)
	}
	return resp.Header, nil
}
