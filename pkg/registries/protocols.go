package registries

import (
	"crypto/tls"
	"net/http"
)

// hoist speaks HTTP/1.1 to registries, also where they offer HTTP/2 (Go's
// transport, and go-containerregistry's default, would take it). Over
// HTTP/2 a blob upload moves at most the server's flow-control window per
// round trip: Go's server, which distribution and the registries built on
// it run, opens 1 MB, so 100 MB over a 100 ms, 50 MB/s link moved at
// 10 MB/s where HTTP/1.1 moved 46 MB/s; a download, under Go's client
// window of 4 MB, 35 MB/s against 42. A push of 20 small layers took about
// a round trip longer over HTTP/1.1 (3.27 s against 3.17 s), for the
// connections it opens; HTTP/1.1 for blobs only and HTTP/2 for the rest
// was slower still (3.43 s), as it opens both. `make bench` (part http2)
// measures these.

// http1Only returns a copy of t that speaks HTTP/1.1 only, also over TLS
// (ALPN offers http/1.1 alone). t must not have been used yet.
func http1Only(t *http.Transport) *http.Transport {
	t1 := t.Clone()
	t1.ForceAttemptHTTP2 = false
	t1.Protocols = new(http.Protocols)
	t1.Protocols.SetHTTP1(true)
	if t1.TLSClientConfig == nil {
		t1.TLSClientConfig = &tls.Config{}
	}
	t1.TLSClientConfig.NextProtos = []string{"http/1.1"}
	return t1
}
