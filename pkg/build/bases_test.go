package build

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBaseImages(t *testing.T) {
	const df = `ARG REG=127.0.0.1:5000
ARG BASE=${REG}/base/busybox:stable
FROM ${BASE} AS builder
RUN true
FROM builder AS test
FROM registry.example.com/tools/go:1.26@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
COPY --from=builder /a /a
COPY --from=0 /b /b
COPY --from=docker.io/library/alpine:3.20 /etc/os-release /os
FROM scratch
`
	got, err := BaseImages([]byte(df), []string{"REG=mirror.local:5001"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"mirror.local:5001/base/busybox:stable",
		"registry.example.com/tools/go:1.26@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"docker.io/library/alpine:3.20",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BaseImages() (-want +got):\n%s", diff)
	}
}
