package distribute

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
)

// Counts are what moved to one target.
type Counts struct {
	// BytesUploaded are blob bytes sent (manifests not included).
	BytesUploaded int64 `json:"bytes_uploaded"`
	BlobsUploaded int64 `json:"blobs_uploaded"`
	// BlobsSkipped were already in the target repository.
	BlobsSkipped int64 `json:"blobs_skipped"`
	// BlobsMounted came from another repository of the same registry.
	BlobsMounted int64 `json:"blobs_mounted"`
	// AlreadyPresent: the target held the manifest by digest already, so
	// no blob was even checked.
	AlreadyPresent bool `json:"already_present"`
}

// counter is an http.RoundTripper that counts blob traffic.
type counter struct {
	next                              http.RoundTripper
	bytes, uploaded, skipped, mounted atomic.Int64
	// digest is the manifest digest being written.
	digest  string
	present atomic.Bool
	// watch, when set, is told the bytes sent so far.
	watch func(sent int64)
	sent  atomic.Int64
}

func (c *counter) RoundTrip(req *http.Request) (*http.Response, error) {
	blobUpload := strings.Contains(req.URL.Path, "/blobs/uploads/")
	var body *countingReader
	if blobUpload && req.Body != nil && (req.Method == http.MethodPatch || req.Method == http.MethodPut) {
		body = &countingReader{r: req.Body, c: c}
		req.Body = body
	}
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	switch {
	case req.Method == http.MethodHead && c.digest != "" && strings.HasSuffix(req.URL.Path, "/manifests/"+c.digest) && ok && c.uploaded.Load()+c.skipped.Load()+c.mounted.Load() == 0:
		c.present.Store(true)
	case req.Method == http.MethodHead && strings.Contains(req.URL.Path, "/blobs/sha256:") && ok:
		c.skipped.Add(1)
	case req.Method == http.MethodPost && blobUpload && req.URL.Query().Get("mount") != "" && resp.StatusCode == http.StatusCreated:
		c.mounted.Add(1)
	case blobUpload && req.Method == http.MethodPut && resp.StatusCode == http.StatusCreated:
		c.uploaded.Add(1)
	}
	if body != nil && ok {
		c.bytes.Add(body.n.Load())
	}
	return resp, nil
}

func (c *counter) counts() Counts {
	return Counts{BytesUploaded: c.bytes.Load(), BlobsUploaded: c.uploaded.Load(), BlobsSkipped: c.skipped.Load(), BlobsMounted: c.mounted.Load(), AlreadyPresent: c.present.Load()}
}

type countingReader struct {
	r io.ReadCloser
	n atomic.Int64
	c *counter
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n.Add(int64(n))
	if sent := r.c.sent.Add(int64(n)); r.c.watch != nil && n > 0 {
		r.c.watch(sent)
	}
	return n, err
}

func (r *countingReader) Close() error { return r.r.Close() }
