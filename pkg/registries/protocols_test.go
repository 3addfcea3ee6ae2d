package registries

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// TestRegistryHTTP1: at a TLS registry that offers HTTP/2, a blob's upload
// (the PATCH that carries its bytes included) and its download go over
// HTTP/1.1, also through an endpoint; the blob arrives whole.
func TestRegistryHTTP1(t *testing.T) {
	t.Parallel()
	type seen struct {
		method, path string
		major        int
	}
	var mu sync.Mutex
	var got []seen
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.Path, r.ProtoMajor})
		mu.Unlock()
		reg.ServeHTTP(w, r)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "https://")
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, conf string }{
		{"direct", "    domain: " + host + "\n"},
		// httptest's certificate names example.com.
		{"endpoint", "    domain: example.com\n    endpoint: " + host + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			acct := testAccount(t, "registries:\n  - name: tls\n"+tc.conf+"    ca_file: "+ca+"\n", testNet)
			c, _ := acct.Get("tls")
			repo, err := c.Repository("proto/" + tc.name)
			if err != nil {
				t.Fatal(err)
			}
			opts, err := c.Options(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			data := bytes.Repeat([]byte(tc.name), 1<<20/len(tc.name))
			layer := static.NewLayer(data, types.OCILayer)
			if err := remote.WriteLayer(repo, layer, opts...); err != nil {
				t.Fatalf("WriteLayer: %v", err)
			}
			d, _ := layer.Digest()
			back, err := remote.Layer(repo.Digest(d.String()), opts...)
			if err != nil {
				t.Fatal(err)
			}
			rc, err := back.Compressed()
			if err != nil {
				t.Fatal(err)
			}
			read, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(read, data) {
				t.Fatalf("reading the blob back: %d bytes, %v; want the %d bytes written", len(read), err, len(data))
			}
			mu.Lock()
			defer mu.Unlock()
			// Every request as "METHOD PATH HTTP/major", and what it
			// should have been.
			var lines, want []string
			patches := 0
			for _, s := range got {
				lines = append(lines, fmt.Sprintf("%s %s HTTP/%d", s.method, s.path, s.major))
				want = append(want, fmt.Sprintf("%s %s HTTP/1", s.method, s.path))
				if s.method == http.MethodPatch {
					patches++
				}
			}
			if patches == 0 {
				t.Fatalf("no PATCH among the requests:\n%s", strings.Join(lines, "\n"))
			}
			if diff := cmp.Diff(want, lines); diff != "" {
				t.Errorf("requests by HTTP version (-want +got):\n%s", diff)
			}
		})
	}
}
