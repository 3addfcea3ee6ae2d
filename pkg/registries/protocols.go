package registries

import (
	"crypto/tls"
	"net/http"
	"strings"
)

// Blob uploads go over HTTP/1.1, everything else over HTTP/2 where the
// registry offers it. Over HTTP/2 an upload moves at most the server's
// flow-control window per round trip: Go's server (distribution, and the
// registries built on it) opens 1 MB, so 100 MB over a 100 ms link moved at
// 10 MB/s however fast the link, where HTTP/1.1 moved 45 MB/s on a 50 MB/s
// link (`make bench`, part http2). Small requests (pings, blob checks,
// manifests, tag lists) keep HTTP/2's one multiplexed connection.

// splitTransport sends blob uploads through blobs and every other request
// through small.
type splitTransport struct {
	small, blobs http.RoundTripper
}

// RoundTrip sends req through blobs when it carries a blob's bytes.
func (t *splitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if isBlobUpload(req) {
		return t.blobs.RoundTrip(req)
	}
	return t.small.RoundTrip(req)
}

// CloseIdleConnections closes the idle connections of both transports.
func (t *splitTransport) CloseIdleConnections() {
	for _, rt := range []http.RoundTripper{t.small, t.blobs} {
		if ci, ok := rt.(interface{ CloseIdleConnections() }); ok {
			ci.CloseIdleConnections()
		}
	}
}

// isBlobUpload reports whether req sends bytes to a blob upload session: a
// PATCH, PUT or POST with a body to /v2/<name>/blobs/uploads/.
func isBlobUpload(req *http.Request) bool {
	if req.Body == nil || req.Body == http.NoBody {
		return false
	}
	switch req.Method {
	case http.MethodPatch, http.MethodPut, http.MethodPost:
		return strings.Contains(req.URL.Path, "/blobs/uploads/")
	}
	return false
}

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

// splitProtocols returns t's round tripper for blob uploads over HTTP/1.1
// and the rest as t is, each through wrap (the endpoint, when one is set).
func splitProtocols(t *http.Transport, wrap func(http.RoundTripper) http.RoundTripper) http.RoundTripper {
	blobs := http1Only(t)
	return &splitTransport{small: wrap(t), blobs: wrap(blobs)}
}
