package build

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// DefaultStoreKeep is how many images the local store keeps: the newest,
// those of the last builds.
const DefaultStoreKeep = 20

// Lock files in the store's locks folder. Runs hold useLock shared while
// they write or read blobs; PruneStore holds it alone. index.lock guards
// index.json.
const (
	useLock   = "use.lock"
	indexLock = "index.lock"
)

// lockPoll is how often a wait for a store lock tries again.
const lockPoll = 20 * time.Millisecond

// ErrStoreBusy is returned by PruneStore, without Wait, when another run
// uses the store.
var ErrStoreBusy = errors.New("the local store is in use by another run")

// HoldStore marks the local store in dir as in use until release is
// called: PruneStore then deletes nothing, and waits or gives up. Builds
// hold it while they write blobs and record the image; a command holds it
// from its first build to its last push out of the store. Holds do not
// exclude each other.
func HoldStore(ctx context.Context, dir string) (release func(), err error) {
	if err := os.MkdirAll(filepath.Join(dir, "locks"), 0o755); err != nil {
		return nil, fmt.Errorf("local store %s: %w", dir, err)
	}
	l := flock.New(filepath.Join(dir, "locks", useLock))
	if _, err := l.TryRLockContext(ctx, lockPoll); err != nil {
		return nil, fmt.Errorf("local store %s: %w", dir, err)
	}
	return func() { l.Unlock() }, nil
}

// PruneOptions say what PruneStore keeps.
type PruneOptions struct {
	// Keep is how many of the newest images to keep; 0 removes them all.
	Keep int
	// Wait waits, until ctx ends, for the runs that use the store;
	// without it PruneStore returns ErrStoreBusy at once.
	Wait bool
	// Waiting, when set, is called once if PruneStore has to wait.
	Waiting func()
}

// PruneResult is what PruneStore removed and kept.
type PruneResult struct {
	// Images removed from index.json, and kept there.
	Images, Kept int
	// Blobs removed, and their bytes.
	Blobs int
	Bytes int64
}

// PruneStore removes all but the newest opts.Keep images from the local
// store's index.json, then every blob that no image left there reaches
// (through its indexes, manifests, configs and layers), the uploads that
// runs ended without finishing, and the blobs' lock files. It works while
// no other run holds the store (see HoldStore), under the index lock that
// builds take to record an image. A missing store holds nothing to prune.
func PruneStore(ctx context.Context, dir string, opts PruneOptions) (*PruneResult, error) {
	res := &PruneResult{}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return res, nil
	}
	if err := os.MkdirAll(filepath.Join(dir, "locks"), 0o755); err != nil {
		return nil, fmt.Errorf("local store %s: %w", dir, err)
	}
	use := flock.New(filepath.Join(dir, "locks", useLock))
	ok, err := use.TryLock()
	if err != nil {
		return nil, fmt.Errorf("local store %s: %w", dir, err)
	}
	if !ok {
		if !opts.Wait {
			return nil, ErrStoreBusy
		}
		if opts.Waiting != nil {
			opts.Waiting()
		}
		if _, err := use.TryLockContext(ctx, lockPoll); err != nil {
			return nil, fmt.Errorf("local store %s: %w", dir, err)
		}
	}
	defer use.Unlock()
	index := flock.New(filepath.Join(dir, "locks", indexLock))
	if _, err := index.TryLockContext(ctx, lockPoll); err != nil {
		return nil, fmt.Errorf("local store %s: %w", dir, err)
	}
	defer index.Unlock()

	kept, err := keepNewest(dir, opts.Keep, res)
	if err != nil {
		return nil, err
	}
	reached := map[digest.Digest]bool{}
	for _, d := range kept {
		if err := reach(dir, d, reached); err != nil {
			return nil, err
		}
	}
	if err := sweep(ctx, dir, reached, res); err != nil {
		return nil, err
	}
	return res, nil
}

// AutoPrune prunes the store in dir to keep images when it holds more,
// unless another run uses it: what a command does after its builds. It
// returns nil when it pruned nothing.
func AutoPrune(ctx context.Context, dir string, keep int) (*PruneResult, error) {
	idx, err := readIndex(dir)
	if err != nil || len(idx.Manifests) <= keep {
		return nil, err
	}
	res, err := PruneStore(ctx, dir, PruneOptions{Keep: keep})
	if errors.Is(err, ErrStoreBusy) {
		return nil, nil // the run that holds it prunes when it ends
	}
	return res, err
}

// readIndex reads the store's index.json; a store without one holds no
// image.
func readIndex(dir string) (*ocispecs.Index, error) {
	idx := &ocispecs.Index{MediaType: ocispecs.MediaTypeImageIndex}
	idx.SchemaVersion = 2
	data, err := os.ReadFile(filepath.Join(dir, ocispecs.ImageIndexFile))
	if errors.Is(err, fs.ErrNotExist) {
		return idx, nil
	}
	if err == nil {
		err = json.Unmarshal(data, idx)
	}
	if err != nil {
		return nil, fmt.Errorf("local store %s: index.json: %w", dir, err)
	}
	return idx, nil
}

// keepNewest rewrites index.json with its last keep entries, the newest,
// and returns them.
func keepNewest(dir string, keep int, res *PruneResult) ([]ocispecs.Descriptor, error) {
	idx, err := readIndex(dir)
	if err != nil {
		return nil, err
	}
	keep = max(keep, 0)
	res.Kept = min(keep, len(idx.Manifests))
	res.Images = len(idx.Manifests) - res.Kept
	if res.Images == 0 {
		return idx.Manifests, nil
	}
	idx.Manifests = idx.Manifests[res.Images:]
	data, err := json.Marshal(idx)
	if err != nil {
		return nil, err
	}
	if err := writeAtomic(filepath.Join(dir, ocispecs.ImageIndexFile), data); err != nil {
		return nil, fmt.Errorf("local store %s: %w", dir, err)
	}
	return idx.Manifests, nil
}

// children is what an index or a manifest points to, in any of the OCI
// and Docker forms.
type children struct {
	Manifests []ocispecs.Descriptor `json:"manifests"`
	Config    *ocispecs.Descriptor  `json:"config"`
	Layers    []ocispecs.Descriptor `json:"layers"`
	Blobs     []ocispecs.Descriptor `json:"blobs"`
	Subject   *ocispecs.Descriptor  `json:"subject"`
}

// manifestTypes are the media types whose blobs point to other blobs.
var manifestTypes = map[string]bool{
	ocispecs.MediaTypeImageIndex:                                true,
	ocispecs.MediaTypeImageManifest:                             true,
	"application/vnd.docker.distribution.manifest.list.v2+json": true,
	"application/vnd.docker.distribution.manifest.v2+json":      true,
}

// reach marks d and every blob it points to, through the store's blobs.
// A blob the store does not hold is marked and not followed.
func reach(dir string, d ocispecs.Descriptor, reached map[digest.Digest]bool) error {
	if d.Digest.Validate() != nil || reached[d.Digest] {
		return nil
	}
	reached[d.Digest] = true
	if !manifestTypes[d.MediaType] {
		return nil
	}
	data, err := os.ReadFile(blobPath(dir, d.Digest))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("local store %s: %w", dir, err)
	}
	var c children
	if err := json.Unmarshal(data, &c); err != nil {
		return fmt.Errorf("local store %s: blob %s: %w", dir, d.Digest, err)
	}
	next := append(append(append([]ocispecs.Descriptor{}, c.Manifests...), c.Layers...), c.Blobs...)
	for _, p := range []*ocispecs.Descriptor{c.Config, c.Subject} {
		if p != nil {
			next = append(next, *p)
		}
	}
	for _, n := range next {
		if err := reach(dir, n, reached); err != nil {
			return err
		}
	}
	return nil
}

func blobPath(dir string, d digest.Digest) string {
	return filepath.Join(dir, ocispecs.ImageBlobsDir, d.Algorithm().String(), d.Encoded())
}

// sweep removes the blobs not in reached, the unfinished uploads and the
// blobs' lock files.
func sweep(ctx context.Context, dir string, reached map[digest.Digest]bool, res *PruneResult) error {
	algs, err := os.ReadDir(filepath.Join(dir, ocispecs.ImageBlobsDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("local store %s: %w", dir, err)
	}
	for _, alg := range algs {
		blobs, err := os.ReadDir(filepath.Join(dir, ocispecs.ImageBlobsDir, alg.Name()))
		if err != nil {
			continue
		}
		for _, b := range blobs {
			if err := ctx.Err(); err != nil {
				return context.Cause(ctx)
			}
			if reached[digest.NewDigestFromEncoded(digest.Algorithm(alg.Name()), b.Name())] {
				continue
			}
			info, err := b.Info()
			if err != nil {
				continue
			}
			if err := os.Remove(filepath.Join(dir, ocispecs.ImageBlobsDir, alg.Name(), b.Name())); err != nil {
				return fmt.Errorf("local store %s: %w", dir, err)
			}
			res.Blobs++
			res.Bytes += info.Size()
		}
	}
	// No run holds the store: every upload in progress was abandoned.
	ingests, _ := os.ReadDir(filepath.Join(dir, "ingest"))
	for _, i := range ingests {
		if err := os.RemoveAll(filepath.Join(dir, "ingest", i.Name())); err != nil {
			return fmt.Errorf("local store %s: %w", dir, err)
		}
	}
	locks, _ := os.ReadDir(filepath.Join(dir, "locks"))
	for _, l := range locks {
		if n := l.Name(); n != useLock && n != indexLock && strings.HasSuffix(n, ".lock") {
			os.Remove(filepath.Join(dir, "locks", n))
		}
	}
	return nil
}
