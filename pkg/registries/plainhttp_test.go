package registries

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestPlainHTTPRefused: a registry on plain-HTTP loopback that is not
// marked insecure gets no request at all, hence no credential: one error
// names the registry and says how to allow it, and it is not retried.
// Marked insecure, the same registry is reached.
func TestPlainHTTPRefused(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	conf := "registries:\n  - name: prod\n    domain: " + s.host + "\n    prefix: team\n    username: u\n    password: s3cret\n"
	acct := testAccount(t, conf, DefaultNetwork())
	c, _ := acct.Get("prod")
	repo, _ := c.Repository("app")
	img, _ := random.Image(1024, 1)
	want := `registry "prod" (` + s.host + `): refusing plain HTTP: the registry did not answer over HTTPS; set insecure: true on the integration to allow it`
	opts, _ := c.Options(context.Background())
	start := time.Now()
	err := remote.Write(repo.Tag("v1"), img, opts...)
	if e := Explain(c.Integration, err); e == nil || e.Error() != want || Retryable(err) {
		t.Errorf("Write: %v\nwant %s, not retryable", e, want)
	}
	if e := c.CheckPush(context.Background(), repo); e == nil || e.Error() != want {
		t.Errorf("CheckPush: %v\nwant %s", e, want)
	}
	if ch := c.Check(context.Background()); ch.Err == nil || ch.Err.Error() != want {
		t.Errorf("Check: %v\nwant %s", ch.Err, want)
	}
	// A path outside the prefix goes through the same integration; a host
	// in no integration is refused too, and told how to allow it.
	other, _ := name.NewRepository(s.host + "/elsewhere/app")
	oopts, _ := acct.Options(context.Background(), other)
	if _, err := remote.Head(other.Tag("v1"), oopts...); Explain(nil, err) == nil || Explain(nil, err).Error() != want {
		t.Errorf("outside the prefix: %v\nwant %s", Explain(nil, err), want)
	}
	bare := testAccount(t, "registries: []\n", DefaultNetwork())
	bopts, _ := bare.Options(context.Background(), other)
	_, err = remote.Head(other.Tag("v1"), bopts...)
	wantBare := "registry " + s.host + ": refusing plain HTTP: the registry did not answer over HTTPS; it is in no integration: add one with domain: " + s.host + " and insecure: true to allow it"
	if e := Explain(nil, err); e == nil || e.Error() != wantBare {
		t.Errorf("bare host: %v\nwant %s", e, wantBare)
	}
	elapsed := time.Since(start)
	if got := s.requests("", ""); len(got) != 0 {
		t.Errorf("the plain-HTTP registry got %d requests, first %+v; want none", len(got), got[0])
	}
	if elapsed > 2*time.Second {
		t.Errorf("five refused operations took %s: retried?", elapsed)
	}

	// Marked insecure, it is reached, credentials and all.
	insecure := testAccount(t, conf+"    insecure: true\n", DefaultNetwork())
	ci, _ := insecure.Get("prod")
	iopts, _ := ci.Options(context.Background())
	if err := remote.Write(repo.Tag("v1"), img, iopts...); err != nil {
		t.Fatalf("insecure: %v", err)
	}
	if got := s.requests("", ""); len(got) == 0 || !strings.HasPrefix(got[len(got)-1].authorization, "Basic ") {
		t.Errorf("insecure: the registry saw %d requests, the last without Basic credentials", len(got))
	}
}

// TestNoDowngradeUnreachable: with nothing listening, the refused
// plain-HTTP attempt does not hide that the registry is down.
func TestNoDowngradeUnreachable(t *testing.T) {
	t.Parallel()
	acct := testAccount(t, "registries:\n  - name: down\n    domain: 127.0.0.1:1\n", testNet)
	c, _ := acct.Get("down")
	repo, _ := c.Repository("app")
	err := Explain(c.Integration, c.CheckPush(context.Background(), repo))
	if err == nil || !strings.HasPrefix(err.Error(), `registry "down" (127.0.0.1:1): not reachable: dial tcp 127.0.0.1:1`) {
		t.Errorf("CheckPush = %v, want not reachable", err)
	}
}
