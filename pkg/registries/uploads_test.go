package registries

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// answers is a fake registry: it answers each request with the status its
// method and path are given, and logs every request.
type answers struct {
	status map[string]int
	log    []string
}

func (a *answers) RoundTrip(r *http.Request) (*http.Response, error) {
	a.log = append(a.log, r.Method+" "+r.URL.Path)
	code := a.status[r.Method+" "+r.URL.Path]
	h := http.Header{}
	if code == http.StatusAccepted {
		h.Set("Location", r.URL.Path+"?_state=next")
		if r.Method == http.MethodPost {
			h.Set("Location", "/v2/app/blobs/uploads/s1?_state=first")
		}
	}
	return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
}

// TestUploadSessions: the session a POST opened is cancelled when its
// PATCH or PUT fails, not when the registry asks for credentials again,
// and not once the PUT committed the blob.
func TestUploadSessions(t *testing.T) {
	t.Parallel()
	const uploads, session = "/v2/app/blobs/uploads/", "/v2/app/blobs/uploads/s1"
	for _, tc := range []struct {
		name  string
		steps []string // METHOD PATH, in order
		codes map[string]int
		want  []string
	}{
		{"committed", []string{"POST " + uploads, "PATCH " + session, "PUT " + session},
			map[string]int{"POST " + uploads: 202, "PATCH " + session: 202, "PUT " + session: 201},
			[]string{"POST " + uploads, "PATCH " + session, "PUT " + session}},
		{"patch-fails", []string{"POST " + uploads, "PATCH " + session},
			map[string]int{"POST " + uploads: 202, "PATCH " + session: 500},
			[]string{"POST " + uploads, "PATCH " + session, "DELETE " + session}},
		{"put-fails", []string{"POST " + uploads, "PATCH " + session, "PUT " + session},
			map[string]int{"POST " + uploads: 202, "PATCH " + session: 202, "PUT " + session: 400},
			[]string{"POST " + uploads, "PATCH " + session, "PUT " + session, "DELETE " + session}},
		{"auth-again", []string{"POST " + uploads, "PATCH " + session},
			map[string]int{"POST " + uploads: 202, "PATCH " + session: 401},
			[]string{"POST " + uploads, "PATCH " + session}},
		{"mounted", []string{"POST " + uploads, "PATCH " + session},
			map[string]int{"POST " + uploads: 201, "PATCH " + session: 500},
			[]string{"POST " + uploads, "PATCH " + session}},
	} {
		fake := &answers{status: tc.codes}
		tr := wrap(fake, "r", true, "", DefaultNetwork())
		for _, step := range tc.steps {
			method, path, _ := strings.Cut(step, " ")
			req, _ := http.NewRequestWithContext(context.Background(), method, "http://r.example"+path+"?_state=x", strings.NewReader("blob"))
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatalf("%s: %s: %v", tc.name, step, err)
			}
			resp.Body.Close()
		}
		if diff := cmp.Diff(tc.want, fake.log); diff != "" {
			t.Errorf("%s: requests (-want +got):\n%s", tc.name, diff)
		}
	}
}
