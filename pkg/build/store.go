package build

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/gofrs/flock"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// store is hoist's local store, an OCI layout folder that BuildKit's OCI
// exporter writes blobs into through the session. Builds running at the
// same time, in this process or another, may write the same blob: writers
// of one blob wait for each other (a file lock each), and the second finds
// the blob there. hoist itself records each image in index.json, newest
// last. Every run that writes or reads the store holds it (HoldStore), so
// that PruneStore deletes no blob a run is writing or is about to record.
type store struct {
	content.Store
	dir string
}

func openStore(dir string) (*store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "locks"), 0o755); err != nil {
		return nil, fmt.Errorf("local store %s: %w", dir, err)
	}
	cs, err := contentlocal.NewStore(dir)
	if err != nil {
		return nil, fmt.Errorf("local store %s: %w", dir, err)
	}
	return &store{Store: cs, dir: dir}, nil
}

// Writer opens a writer once no other writer of the same blob is open.
func (s *store) Writer(ctx context.Context, opts ...content.WriterOpt) (content.Writer, error) {
	var wo content.WriterOpts
	for _, o := range opts {
		if err := o(&wo); err != nil {
			return nil, err
		}
	}
	key := wo.Ref
	if wo.Desc.Digest != "" {
		key = wo.Desc.Digest.String()
	}
	key = strings.NewReplacer("/", "_", ":", "_").Replace(key)
	lock := flock.New(filepath.Join(s.dir, "locks", key+".lock"))
	if _, err := lock.TryLockContext(ctx, 20*time.Millisecond); err != nil {
		return nil, fmt.Errorf("local store %s: locking %s: %w", s.dir, key, err)
	}
	w, err := s.Store.Writer(ctx, opts...)
	if err != nil {
		lock.Unlock()
		return nil, err
	}
	return &lockedWriter{Writer: w, lock: lock}, nil
}

// lockedWriter releases its blob's lock once committed or closed.
type lockedWriter struct {
	content.Writer
	lock *flock.Flock
	once sync.Once
}

func (w *lockedWriter) unlock() { w.once.Do(func() { w.lock.Unlock() }) }

func (w *lockedWriter) Commit(ctx context.Context, size int64, expected digest.Digest, opts ...content.Opt) error {
	defer w.unlock()
	return w.Writer.Commit(ctx, size, expected, opts...)
}

func (w *lockedWriter) Close() error {
	defer w.unlock()
	return w.Writer.Close()
}

// record adds the image an export wrote (its descriptor in BuildKit's
// exporter response) to index.json, named name, under a lock that
// concurrent builds wait for.
func (s *store) record(ctx context.Context, resp map[string]string, name string) error {
	raw := resp[exptypes.ExporterImageDescriptorKey]
	if raw == "" {
		return errors.New("the build returned no image descriptor")
	}
	dt, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return fmt.Errorf("image descriptor: %w", err)
	}
	var desc ocispecs.Descriptor
	if err := json.Unmarshal(dt, &desc); err != nil {
		return fmt.Errorf("image descriptor: %w", err)
	}
	return s.recordDesc(ctx, desc, name)
}

// recordDesc adds desc to index.json, named name, under the index lock.
func (s *store) recordDesc(ctx context.Context, desc ocispecs.Descriptor, name string) error {
	desc.Annotations = nil
	if name != "" {
		desc.Annotations = map[string]string{ocispecs.AnnotationRefName: name}
	}
	lock := flock.New(filepath.Join(s.dir, "locks", "index.lock"))
	if _, err := lock.TryLockContext(ctx, 20*time.Millisecond); err != nil {
		return fmt.Errorf("local store %s: %w", s.dir, err)
	}
	defer lock.Unlock()
	idx := ocispecs.Index{MediaType: ocispecs.MediaTypeImageIndex}
	idx.SchemaVersion = 2
	if data, err := os.ReadFile(filepath.Join(s.dir, ocispecs.ImageIndexFile)); err == nil {
		if err := json.Unmarshal(data, &idx); err != nil {
			return fmt.Errorf("local store %s: index.json: %w", s.dir, err)
		}
	}
	// The same image built again moves to the end: the newest are kept
	// when the store is pruned.
	idx.Manifests = slices.DeleteFunc(idx.Manifests, func(d ocispecs.Descriptor) bool {
		return d.Digest == desc.Digest && d.Annotations[ocispecs.AnnotationRefName] == name
	})
	idx.Manifests = append(idx.Manifests, desc)
	layout, _ := json.Marshal(ocispecs.ImageLayout{Version: ocispecs.ImageLayoutVersion})
	if err := writeAtomic(filepath.Join(s.dir, ocispecs.ImageLayoutFile), layout); err != nil {
		return err
	}
	data, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(s.dir, ocispecs.ImageIndexFile), data)
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
