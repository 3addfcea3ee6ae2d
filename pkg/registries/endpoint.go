package registries

import "net/http"

// endpointTransport sends requests for a domain to another address (an
// integration's endpoint), as containerd's hosts configuration does: the
// request still names the domain in its Host header, so that the
// registry's redirects, upload locations and token scopes stay on the
// domain, and so do credentials.
type endpointTransport struct {
	domain, endpoint string
	next             http.RoundTripper
}

// RoundTrip sends req to the endpoint when it is for the domain.
func (t *endpointTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if normalizeHost(req.URL.Host) != normalizeHost(t.domain) {
		return t.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	out.URL.Host = t.endpoint
	out.Host = req.URL.Host
	return t.next.RoundTrip(out)
}

// CloseIdleConnections closes the idle connections of the transport
// underneath.
func (t *endpointTransport) CloseIdleConnections() {
	if ci, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
