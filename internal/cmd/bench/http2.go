package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/internal/stack"
	"github.com/hoist-build/hoist/pkg/registries"
)

// linkRate is every shaped link's rate in the network benches: 50 MB/s.
const linkRate = 50_000_000

// benchHTTP2 uploads one 100 MB blob to a TLS registry (distribution,
// which offers HTTP/2) behind a 50 MB/s link with 50 ms and 100 ms round
// trips: through Go's transport forced to HTTP/2, forced to HTTP/1.1, and
// through hoist's registry transport as it ships. It prints each upload's
// protocol, its whole time (round trips included) and the rate of the
// request that carried the bytes, against the link's rate.
func benchHTTP2() error {
	dir, err := os.MkdirTemp("", "hoist-bench-h2-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ca, err := stack.NewCA(dir, "bench")
	if err != nil {
		return err
	}
	certs, err := ca.Issue("registry", false)
	if err != nil {
		return err
	}
	reg, err := stack.StartRegistry(stack.RegistryOptions{TLS: &certs})
	if err != nil {
		return err
	}
	defer reg.Stop()
	blob := make([]byte, 100_000_000)
	rand.Read(blob)
	layer := static.NewLayer(blob, types.OCILayer)
	pem, err := os.ReadFile(ca.File)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	goTransport := func(h2 bool) http.RoundTripper {
		t := remote.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = &tls.Config{RootCAs: pool}
		t.Protocols = new(http.Protocols)
		if h2 {
			t.Protocols.SetHTTP2(true)
		} else {
			t.Protocols.SetHTTP1(true)
		}
		return t
	}
	fmt.Printf("\nTLS: one %d MB blob to distribution over HTTPS, link %d MB/s:\n", len(blob)/1_000_000, linkRate/1_000_000)
	for _, rtt := range []time.Duration{50 * time.Millisecond, 100 * time.Millisecond} {
		link, err := stack.StartLink(reg.Host, stack.LinkOptions{Rate: linkRate, RTT: rtt})
		if err != nil {
			return err
		}
		hoistT, err := hoistTransport(dir, link.Host, ca.File)
		if err != nil {
			link.Close()
			return err
		}
		rates := map[string]float64{}
		for _, m := range []struct {
			what string
			rt   http.RoundTripper
		}{
			{"Go transport, HTTP/2", goTransport(true)},
			{"Go transport, HTTP/1.1", goTransport(false)},
			{"hoist's transport (default)", hoistT},
		} {
			repo, err := name.NewRepository(fmt.Sprintf("%s/h2/%d-%d", link.Host, rtt.Milliseconds(), time.Now().UnixNano()))
			if err != nil {
				link.Close()
				return err
			}
			rec := &protoRecorder{next: m.rt}
			start := time.Now()
			err = remote.WriteLayer(repo, layer, remote.WithTransport(rec), remote.WithContext(context.Background()))
			total := time.Since(start)
			if err != nil {
				link.Close()
				return fmt.Errorf("%s over %s: %w", m.what, rtt, err)
			}
			mbps := float64(len(blob)) / rec.took.Seconds() / 1e6
			rates[m.what] = mbps
			fmt.Printf("  RTT %3d ms  %-28s %-8s whole upload %6.2f s (%5.1f MB/s); the blob's request %5.1f MB/s = %3.0f%% of the link\n",
				rtt.Milliseconds(), m.what, rec.proto, total.Seconds(), float64(len(blob))/total.Seconds()/1e6, mbps, 100*mbps*1e6/linkRate)
		}
		link.Close()
		fmt.Printf("  RTT %3d ms  HTTP/1.1 / HTTP/2 rate %.2f", rtt.Milliseconds(), rates["Go transport, HTTP/1.1"]/rates["Go transport, HTTP/2"])
		if rtt == 100*time.Millisecond {
			fmt.Printf("; hoist %.0f%% of the link (goal >= 80%%)", 100*rates["hoist's transport (default)"]*1e6/linkRate)
		}
		fmt.Println()
	}
	return nil
}

// hoistTransport returns hoist's registry transport for a TLS registry at
// host whose certificate caFile's CA signed, as an integration with
// ca_file gets it.
func hoistTransport(dir, host, caFile string) (http.RoundTripper, error) {
	conf := fmt.Sprintf("registries:\n  - name: tls\n    domain: %s\n    ca_file: %s\n", host, caFile)
	cfg, err := registries.Load(strings.NewReader(conf), "registries.yaml")
	if err != nil {
		return nil, err
	}
	c, err := registries.NewAccount(cfg, filepath.Join(dir, "docker")).Get("tls")
	if err != nil {
		return nil, err
	}
	return c.Transport()
}

// protoRecorder notes the protocol of the request that carried a blob's
// bytes (a PATCH or a PUT with a body) and how long it took, from its
// start to the answer.
type protoRecorder struct {
	next  http.RoundTripper
	mu    sync.Mutex
	proto string
	took  time.Duration
}

func (p *protoRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body := req.Body != nil && req.Body != http.NoBody && (req.Method == http.MethodPatch || req.Method == http.MethodPut)
	start := time.Now()
	resp, err := p.next.RoundTrip(req)
	if body && err == nil {
		p.mu.Lock()
		p.proto, p.took = resp.Proto, time.Since(start)
		p.mu.Unlock()
	}
	return resp, err
}
