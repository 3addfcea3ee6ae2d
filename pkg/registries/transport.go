package registries

import (
	"context"
	"io"
	"net/http"
)

// registryTransport is what every request to one registry goes through, below
// go-containerregistry's authentication and retries. It
//   - refuses plain HTTP unless the integration is insecure, so that no
//     credential and no image ever crosses the network in clear by
//     accident (go-containerregistry falls back to HTTP for loopback and
//     private addresses by itself);
//   - holds requests back as long as the registry asked in Retry-After;
//   - gives up a request that moves no bytes for Network.Stall, with an
//     error that is retried like a reset;
//   - cancels, with DELETE, an upload session whose PATCH or PUT failed.
type registryTransport struct {
	next http.RoundTripper
	// registry names the registry in errors, as Error.Registry does.
	registry string
	insecure bool
	// hint says how to allow plain HTTP.
	hint    string
	net     Network
	gate    gate
	uploads uploads
}

// wrap returns next behind a registry transport.
func wrap(next http.RoundTripper, registry string, insecure bool, hint string, n Network) *registryTransport {
	return &registryTransport{next: next, registry: registry, insecure: insecure, hint: hint, net: n.withDefaults()}
}

// RoundTrip sends req under the rules above.
func (t *registryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !t.insecure {
		return nil, &Error{Registry: t.registry, Err: &plainHTTP{path: req.URL.Path, hint: t.hint}}
	}
	if err := t.gate.wait(req.Context()); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	w := newWatch(t.net.Stall, cancel)
	out := req.Clone(ctx)
	phase := phaseAnswer
	if req.Body != nil && req.Body != http.NoBody {
		phase = phaseSend
		out.Body = &sendBody{rc: req.Body, w: w}
		if req.GetBody != nil {
			out.GetBody = func() (io.ReadCloser, error) {
				rc, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				return &sendBody{rc: rc, w: w}, nil
			}
		}
	}
	w.arm(phase)
	resp, err := t.next.RoundTrip(out)
	w.answered()
	if err != nil {
		w.stop()
		if serr := w.stalled(); serr != nil {
			err = serr
		}
		t.uploadFailed(req)
		return nil, err
	}
	t.gate.note(resp, t.net.MaxWait)
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		// The authentication above sends the same request again with a
		// new token: the session lives on.
	case resp.StatusCode >= 400:
		t.uploadFailed(req)
	default:
		t.uploads.answered(req, resp)
	}
	resp.Body = &recvBody{rc: resp.Body, w: w}
	return resp, nil
}

// CloseIdleConnections closes the idle connections of the transport
// underneath, as http.Transport does, so a finished check frees them.
func (t *registryTransport) CloseIdleConnections() {
	if ci, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
