package registries

import (
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// missingScope is the scope (repository:NAME:ACTION) a request lacked
// when a registry refused it (401 or 403) although it carried a bearer
// token: the auth server took the credentials but granted less than the
// request needs. Empty otherwise.
func missingScope(terr *transport.Error) string {
	if terr.StatusCode != http.StatusUnauthorized && terr.StatusCode != http.StatusForbidden || terr.Request == nil {
		return ""
	}
	if !strings.HasPrefix(terr.Request.Header.Get("Authorization"), "Bearer ") {
		return ""
	}
	path, ok := strings.CutPrefix(terr.Request.URL.Path, "/v2/")
	if !ok {
		return ""
	}
	repo := ""
	for _, marker := range []string{"/blobs/", "/manifests/", "/tags/", "/referrers/"} {
		if i := strings.LastIndex(path, marker); i > 0 {
			repo = path[:i]
			break
		}
	}
	if repo == "" {
		return ""
	}
	action := "pull"
	switch terr.Request.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		action = "push"
	case http.MethodDelete:
		action = "delete"
	}
	return "repository:" + repo + ":" + action
}

// scopeParts splits repository:NAME:ACTION into NAME and ACTION.
func scopeParts(scope string) (repo, action string) {
	rest := strings.TrimPrefix(scope, "repository:")
	i := strings.LastIndex(rest, ":")
	if i < 0 {
		return rest, ""
	}
	return rest[:i], rest[i+1:]
}
