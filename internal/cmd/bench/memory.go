package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// benchMemory pushes a 1 GB image of 10 layers with `hoist push` from a
// loopback registry to 3 loopback registries, and prints the peak RSS of
// the hoist process (GNU time's maximum resident set size) against the
// goal of 64 MB. The layers are written to disk and pushed to the source
// from there, never held in memory.
func benchMemory(hoist string) error {
	const layers, layerSize = 10, 100_000_000
	dir, err := os.MkdirTemp("", "hoist-bench-memory-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	servers, stop, err := startRegistries(4)
	if err != nil {
		return err
	}
	defer stop()
	src := servers[0]
	regs := filepath.Join(dir, "registries.yaml")
	if err := writeRegistries(regs, src.Host, hostsOf(servers[1:])); err != nil {
		return err
	}
	img := empty.Image
	for i := 0; i < layers; i++ {
		l, err := newFileLayer(filepath.Join(dir, fmt.Sprintf("layer%d", i)), layerSize)
		if err != nil {
			return err
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			return err
		}
	}
	ref := src.Host + "/bench/memory:v1"
	r, _ := name.ParseReference(ref)
	if err := remote.Write(r, img); err != nil {
		return err
	}
	for i := 0; i < layers; i++ {
		os.Remove(filepath.Join(dir, fmt.Sprintf("layer%d", i)))
	}
	start := time.Now()
	kb, err := peakRSS(dir, []string{hoist, "push", ref, "--registries", regs,
		"--registry", "t0", "--registry", "t1", "--registry", "t2", "--image-name", "memory/big", "--tag", "v1"})
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Printf("\nmemory: hoist push of a %d MB image of %d layers to 3 registries on loopback: %.1f s, peak RSS %.1f MB (goal <= 64 MB)\n",
		layers*layerSize/1_000_000, layers, took.Seconds(), float64(kb)/1024)
	return nil
}

// fileLayer is a layer of random bytes kept in a file.
type fileLayer struct {
	path   string
	digest v1.Hash
	size   int64
}

// newFileLayer writes size random bytes to path, hashing them on the way.
func newFileLayer(path string, size int64) (*fileLayer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(f, h), rand.Reader, size); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	d := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
	return &fileLayer{path: path, digest: d, size: size}, nil
}

func (l *fileLayer) Digest() (v1.Hash, error)             { return l.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error)             { return l.digest, nil }
func (l *fileLayer) Compressed() (io.ReadCloser, error)   { return os.Open(l.path) }
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) { return os.Open(l.path) }
func (l *fileLayer) Size() (int64, error)                 { return l.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error) {
	return types.OCIUncompressedLayer, nil
}
