package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/internal/stack"
	"github.com/hoist-build/hoist/pkg/registries"
)

// linkRate is every shaped link's rate in the network benches: 50 MB/s.
const linkRate = 50_000_000

// benchHTTP2 compares HTTP/2 and HTTP/1.1 at a TLS registry
// (distribution, which offers HTTP/2) behind a 50 MB/s link with 50 ms and
// 100 ms round trips: one 100 MB blob uploaded and downloaded, and a push
// of 20 small layers, through Go's transport forced to HTTP/2, forced to
// HTTP/1.1, and through hoist's registry transport as it ships. Each
// measure starts with no connection open, as a hoist process does. It
// prints the upload's whole time (round trips included) and the rate of
// the request that carried the bytes, against the link's rate.
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
	small, err := random.Image(10_000, 20)
	if err != nil {
		return err
	}
	pem, err := os.ReadFile(ca.File)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	goTransport := func(h2 bool) func(string) (http.RoundTripper, error) {
		return func(string) (http.RoundTripper, error) {
			t := remote.DefaultTransport.(*http.Transport).Clone()
			t.TLSClientConfig = &tls.Config{RootCAs: pool}
			t.Protocols = new(http.Protocols)
			if h2 {
				t.Protocols.SetHTTP2(true)
			} else {
				t.Protocols.SetHTTP1(true)
			}
			return t, nil
		}
	}
	variants := []struct {
		what string
		rt   func(host string) (http.RoundTripper, error)
	}{
		{"Go, HTTP/2", goTransport(true)},
		{"Go, HTTP/1.1", goTransport(false)},
		{"hoist", func(host string) (http.RoundTripper, error) { return hoistTransport(dir, host, ca.File) }},
	}
	fmt.Printf("\nHTTP/2 against HTTP/1.1: distribution over TLS behind a %d MB/s link; a %d MB blob up and down, and a push of 20 layers of 10 kB:\n",
		linkRate/1_000_000, len(blob)/1_000_000)
	for _, rtt := range []time.Duration{50 * time.Millisecond, 100 * time.Millisecond} {
		link, err := stack.StartLink(reg.Host, stack.LinkOptions{Rate: linkRate, RTT: rtt})
		if err != nil {
			return err
		}
		var res []transfer
		for i, v := range variants {
			r, err := measureTransfers(link.Host, fmt.Sprintf("h2/%d/%d", rtt.Milliseconds(), i), layer, small, v.rt)
			if err != nil {
				link.Close()
				return fmt.Errorf("%s over %s: %w", v.what, rtt, err)
			}
			res = append(res, r)
			fmt.Printf("  RTT %3d ms  %-13s %-8s up: whole %5.2f s, blob request %5.1f MB/s (%3.0f%% of the link)  down %5.1f MB/s  20 small layers %5.2f s\n",
				rtt.Milliseconds(), v.what, r.proto, r.up.Seconds(), r.upRate/1e6, 100*r.upRate/linkRate, r.downRate/1e6, r.small.Seconds())
		}
		link.Close()
		h2, h1, ho := res[0], res[1], res[2]
		fmt.Printf("  RTT %3d ms  HTTP/1.1 against HTTP/2: upload rate %.2fx, download rate %.2fx, small push time %.2fx",
			rtt.Milliseconds(), h1.upRate/h2.upRate, h1.downRate/h2.downRate, h1.small.Seconds()/h2.small.Seconds())
		if rtt == 100*time.Millisecond {
			fmt.Printf("; hoist's upload %.0f%% of the link (goal >= 80%%)", 100*ho.upRate/linkRate)
		}
		fmt.Println()
	}
	return nil
}

// transfer is what measureTransfers measured through one transport.
type transfer struct {
	// proto is the protocol of the blob's upload request.
	proto string
	// up is the whole upload, round trips included; upRate the rate of
	// the request that carried the bytes, in bytes per second.
	up     time.Duration
	upRate float64
	// downRate is the rate of a download of the blob, whole.
	downRate float64
	// small is the time of a push of the small image.
	small time.Duration
}

// measureTransfers uploads layer to host/repo, downloads it, and pushes
// small, each through a new transport from newRT.
func measureTransfers(host, repo string, layer v1.Layer, small v1.Image, newRT func(string) (http.RoundTripper, error)) (transfer, error) {
	var r transfer
	size, _ := layer.Size()
	dst, err := name.NewRepository(host + "/" + repo)
	if err != nil {
		return r, err
	}
	rt, err := newRT(host)
	if err != nil {
		return r, err
	}
	rec := &protoRecorder{next: rt}
	start := time.Now()
	if err := remote.WriteLayer(dst, layer, remote.WithTransport(rec), remote.WithContext(context.Background())); err != nil {
		return r, err
	}
	r.up, r.proto, r.upRate = time.Since(start), rec.proto, float64(size)/rec.took.Seconds()
	if rt, err = newRT(host); err != nil {
		return r, err
	}
	d, _ := layer.Digest()
	start = time.Now()
	l, err := remote.Layer(dst.Digest(d.String()), remote.WithTransport(rt))
	if err != nil {
		return r, err
	}
	rc, err := l.Compressed()
	if err != nil {
		return r, err
	}
	n, err := io.Copy(io.Discard, rc)
	rc.Close()
	if err != nil || n != size {
		return r, fmt.Errorf("downloading the blob: %d bytes, %v", n, err)
	}
	r.downRate = float64(n) / time.Since(start).Seconds()
	if rt, err = newRT(host); err != nil {
		return r, err
	}
	start = time.Now()
	if err := remote.Write(dst.Tag("small"), small, remote.WithTransport(rt)); err != nil {
		return r, err
	}
	r.small = time.Since(start)
	return r, nil
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
