package distribute

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/pkg/registries"
)

// Source is the image to copy: a single image or an index, with its digest.
type Source struct {
	// Ref names the source in reports.
	Ref    string
	Digest v1.Hash
	Image  v1.Image
	Index  v1.ImageIndex
	// Referrers are the artifacts that refer to the image (metadata,
	// signatures, SBOMs): each target gets them after the image, by
	// digest, so a promote carries them along.
	Referrers []*Source
	// ReferrersErr says why the source's referrers could not be read;
	// the image is still copied.
	ReferrersErr error
}

// Target is one repository to copy to, with its tags.
type Target struct {
	// Registry is the integration's name, for reports.
	Registry string
	Repo     name.Repository
	Tags     []string
	// Transport reaches the registry (TLS settings); remote's default when nil.
	Transport http.RoundTripper
	// Keychain gives the credentials; anonymous when nil.
	Keychain authn.Keychain
	// Options are more go-containerregistry options for the target's
	// requests, after Copy's own: the account's retry policy.
	Options []remote.Option
	// Watch, when set, is told the blob bytes sent to the target so far,
	// as they move.
	Watch func(sent int64)
}

// ErrIncomplete is returned when some target did not get the image and its
// tags.
var ErrIncomplete = errors.New("not every target was written")

// Backoff is how transient failures (5xx, 429, resets, timeouts) are
// retried when a target's Options do not say otherwise.
var Backoff = remote.Backoff{Duration: 250 * time.Millisecond, Factor: 2, Jitter: 0.1, Steps: 5}

// Copy writes src to every target: blobs and the manifest by digest to all
// targets first, concurrently (targets in one registry mount each other's
// blobs), then the tags, only when every target holds the image, then it
// checks every tag at every target. When a tag cannot be moved, ctx is
// cancelled, or another writer moved a tag meanwhile, the tags this run
// moved are put back (see tagAll); what each tag held is read while the
// blobs are written. The results follow the targets' order.
// A bad tag or repository name is an input error, found before anything
// is written.
func Copy(ctx context.Context, src *Source, targets []Target) ([]*Result, error) {
	if err := CheckTargets(targets); err != nil {
		return nil, err
	}
	if len(targets) > 1 {
		// Read each source blob once for all targets.
		dir, err := os.MkdirTemp("", "hoist-blobs-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		src = readEachBlobOnce(src, dir)
	}
	c := newCopy(ctx, src, targets)
	// What each tag holds is read while the blobs go up: two round trips
	// (the reads and the login they need) off the push's time.
	tr := c.newTagRun()
	recorded := make(chan []error, 1)
	go func() { recorded <- tr.recordAll(ctx) }()
	errs := c.writeAll()
	recordErrs := <-recorded
	if c.fail(errs) {
		for i, r := range c.results {
			if errs[i] == nil {
				r.Status = StatusNotTagged
			}
		}
		return c.done()
	}
	tr.tagAll(ctx, recordErrs)
	return c.done()
}

// copyRun is one Copy: its targets' options, counters and results.
type copyRun struct {
	src      *Source
	targets  []Target
	opts     [][]remote.Option
	counters []*counter
	results  []*Result
	failed   bool
	// cause is why ctx ended, when it ended while tags were written.
	cause error
}

func newCopy(ctx context.Context, src *Source, targets []Target) *copyRun {
	c := &copyRun{src: src, targets: targets}
	for _, t := range targets {
		next := t.Transport
		if next == nil {
			next = remote.DefaultTransport
		}
		cnt := &counter{next: next, digest: src.Digest.String(), watch: t.Watch}
		c.counters = append(c.counters, cnt)
		opts := targetOptions(ctx, t, cnt)
		c.opts = append(c.opts, opts)
		c.results = append(c.results, &Result{Registry: t.Registry, Repository: t.Repo.Name(), Reference: t.Repo.Digest(src.Digest.String()).String(), Digest: src.Digest.String(), Tags: []string{}})
	}
	return c
}

// targetOptions are the remote options for t on ctx through rt: its
// credentials, retries with Backoff, and one pusher and one puller, so the
// registry is pinged and logged in to once, not once per write, tag and
// check.
func targetOptions(ctx context.Context, t Target, rt http.RoundTripper) []remote.Option {
	if rt == nil {
		rt = remote.DefaultTransport
	}
	kc := t.Keychain
	if kc == nil {
		kc = authn.NewMultiKeychain()
	}
	opts := append([]remote.Option{remote.WithContext(ctx), remote.WithTransport(rt), remote.WithAuthFromKeychain(kc), remote.WithRetryBackoff(Backoff)}, t.Options...)
	// One pusher and one puller per target: the registry is pinged and
	// logged in to once, not once per write, tag and check.
	if p, err := remote.NewPusher(opts...); err == nil {
		opts = append(opts, remote.Reuse(p))
	}
	if p, err := remote.NewPuller(opts...); err == nil {
		opts = append(opts, remote.Reuse(p))
	}
	return opts
}

// writeAll writes blobs and manifests by digest: registries at once;
// within one registry, the first target, then the others mounting from it.
func (c *copyRun) writeAll() []error {
	byHost := map[string][]int{}
	var hosts []string
	for i, t := range c.targets {
		h := t.Repo.RegistryStr()
		if _, ok := byHost[h]; !ok {
			hosts = append(hosts, h)
		}
		byHost[h] = append(byHost[h], i)
	}
	errs := make([]error, len(c.targets))
	var wg sync.WaitGroup
	for _, h := range hosts {
		idx := byHost[h]
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := idx[0]
			errs[first] = write(c.src, c.targets[first].Repo, nil, c.opts[first])
			var from *name.Repository
			if errs[first] == nil {
				from = &c.targets[first].Repo
			}
			var inner sync.WaitGroup
			for _, i := range idx[1:] {
				inner.Add(1)
				go func() {
					defer inner.Done()
					errs[i] = write(c.src, c.targets[i].Repo, from, c.opts[i])
				}()
			}
			inner.Wait()
		}()
	}
	wg.Wait()
	return errs
}

// fail marks the targets whose errs entry is set as failed and reports
// whether any was.
func (c *copyRun) fail(errs []error) bool {
	for i, err := range errs {
		if err != nil {
			c.failed = true
			c.results[i].Status, c.results[i].Error = StatusFailed, oneLine(err)
		}
	}
	return c.failed
}

// done fills in what moved to each target and returns the results, with
// ErrIncomplete when a target failed.
func (c *copyRun) done() ([]*Result, error) {
	for i, r := range c.results {
		r.Counts = c.counters[i].counts()
	}
	if c.cause != nil {
		return c.results, fmt.Errorf("%w (%w while writing tags): %s", ErrIncomplete, c.cause, failedList(c.results))
	}
	if c.failed {
		return c.results, fmt.Errorf("%w: %s", ErrIncomplete, failedList(c.results))
	}
	return c.results, nil
}

// write puts src's blobs and manifest into repo by digest, mounting blobs
// from another repository of the same registry when from is set.
func write(src *Source, repo name.Repository, from *name.Repository, opts []remote.Option) error {
	ref := repo.Digest(src.Digest.String())
	if src.Index != nil {
		ii := src.Index
		if from != nil {
			ii = mountIndex{ii, *from}
		}
		if err := remote.WriteIndex(ref, ii, opts...); err != nil {
			return err
		}
		return writeReferrers(src, repo, opts)
	}
	img := src.Image
	if from != nil {
		img = mountImage{img, *from}
	}
	if err := remote.Write(ref, img, opts...); err != nil {
		return err
	}
	return writeReferrers(src, repo, opts)
}

// writeReferrers writes src's referrers to repo by digest; ggcr keeps the
// sha256-<hex> fallback tag of registries without the referrers API.
func writeReferrers(src *Source, repo name.Repository, opts []remote.Option) error {
	for _, r := range src.Referrers {
		if err := write(r, repo, nil, opts); err != nil {
			return fmt.Errorf("writing %s, which refers to it: %w", repo.Digest(r.Digest.String()), err)
		}
	}
	return nil
}

// oneLine describes err in one line; registry refusals, stalls and a
// refused plain-HTTP request say what they mean, in the words
// registries.Error uses everywhere.
func oneLine(err error) string {
	var rerr *registries.Error
	if errors.As(registries.Explain(nil, err), &rerr) {
		switch {
		case errors.Is(rerr, registries.ErrPlainHTTP):
			return rerr.Error() // names the integration to change
		case rerr.Status != 0, errors.Is(rerr, registries.ErrStalled):
			return rerr.Reason()
		}
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
