package distribute

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// RestoreTimeout bounds putting tags back after a failure, an interrupt
// or another writer. The restore runs on a context of its own, so that
// Ctrl-C, which cancels the run's context, still leaves no tag split.
var RestoreTimeout = 30 * time.Second

// Another writer may yield to hoist at the same moment hoist yields to it,
// so that the two swap values. settlePasses bounds how often hoist reads a
// contested tag again and yields; before each new pass it waits a random
// time up to settleJitter, which breaks the tie.
const settlePasses = 5

var settleJitter = 400 * time.Millisecond

// slot is one tag at one target during the tag phase.
type slot struct {
	target int
	tag    string
	// before is the digest the tag held before hoist wrote any tag, ""
	// when absent; recorded says it was read.
	before   string
	recorded bool
	// attempted: hoist sent a PUT for the tag, which may have landed even
	// when it failed; written: the PUT succeeded.
	attempted, written bool
	// foreign is another writer's value, seen at some read; contested says
	// that hoist saw another writer at this tag at any target.
	foreign   *string
	contested bool
	after     string
	read      bool
	readErr   error
	// restored: hoist wrote restoreValue back (yielded: another writer's
	// value); restoreErr: the last such write failed.
	restored, yielded bool
	restoreErr        error
	restoreValue      string
}

// tagRun is the tag phase of one Copy: record what every tag holds, move
// them, check them, and put them back when the run does not succeed.
type tagRun struct {
	c        *copyRun
	digest   string
	taggable remote.Taggable
	slots    [][]*slot
}

// newTagRun makes the tag phase of c: one slot per target and tag.
func (c *copyRun) newTagRun() *tagRun {
	tr := &tagRun{c: c, digest: c.src.Digest.String(), taggable: c.src.Image}
	if c.src.Index != nil {
		tr.taggable = c.src.Index
	}
	for i, t := range c.targets {
		var row []*slot
		seen := map[string]bool{}
		for _, tag := range t.Tags {
			if !seen[tag] {
				seen[tag] = true
				row = append(row, &slot{target: i, tag: tag})
			}
		}
		tr.slots = append(tr.slots, row)
	}
	return tr
}

// recordAll reads what every tag holds at every target (Copy does it
// while the blobs go up) and returns the errors.
func (tr *tagRun) recordAll(ctx context.Context) []error { return tr.each(ctx, tr.record) }

// tagAll moves every target's tags to the image, once recordAll read what
// they held (with errs, its errors), then checks every tag at every target.
// When a tag cannot be read or moved, the context is cancelled, or another
// writer moved a tag, it puts back the tags this run moved (see undo) and
// the results say what each tag holds.
func (tr *tagRun) tagAll(ctx context.Context, errs []error) {
	c := tr.c
	if c.fail(errs) || ctx.Err() != nil {
		// Nothing moved.
		for _, row := range tr.slots {
			for _, s := range row {
				s.after, s.read = s.before, s.recorded
			}
		}
		tr.finish(ctx, errs)
		return
	}
	var stop atomic.Bool
	errs = tr.each(ctx, func(ctx context.Context, i int) error { return tr.write(ctx, i, &stop) })
	ok := !slices.ContainsFunc(errs, func(e error) bool { return e != nil }) && ctx.Err() == nil
	if ok {
		// Every tag at every target only now: a writer that moved a tag
		// at one target while hoist wrote another is seen here.
		errs = tr.each(ctx, tr.verify)
		ok = !slices.ContainsFunc(errs, func(e error) bool { return e != nil }) && ctx.Err() == nil && !tr.contested()
	}
	if !ok {
		tr.undo(ctx)
	}
	tr.finish(ctx, errs)
}

// each runs f for every target at once and returns its errors, leaving
// out those that only say ctx was cancelled (the run's error says that).
func (tr *tagRun) each(ctx context.Context, f func(ctx context.Context, i int) error) []error {
	errs := make([]error, len(tr.slots))
	var wg sync.WaitGroup
	for i := range tr.slots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx, i); err != nil && ctx.Err() == nil {
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	return errs
}

// record reads what each tag of target i holds before anything moves, all
// tags at once.
func (tr *tagRun) record(ctx context.Context, i int) error {
	repo, slots := tr.c.targets[i].Repo, tr.slots[i]
	return atOnce(len(slots), func(j int) error {
		s := slots[j]
		d, err := headTag(repo.Tag(s.tag), tr.c.opts[i])
		if err != nil {
			return fmt.Errorf("reading %s before moving it: %s", repo.Tag(s.tag), oneLine(err))
		}
		s.before, s.recorded = d, true
		return nil
	})
}

// atOnce runs f(0) to f(n-1) at once (each a read of one tag or digest)
// and returns the first error in that order.
func atOnce(n int, f func(j int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for j := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[j] = f(j)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// write moves the tags of target i, one after the other, until one fails,
// ctx is cancelled, or another target failed (stop).
func (tr *tagRun) write(ctx context.Context, i int, stop *atomic.Bool) error {
	repo := tr.c.targets[i].Repo
	for _, s := range tr.slots[i] {
		if stop.Load() || ctx.Err() != nil {
			return nil
		}
		if s.before == tr.digest {
			continue
		}
		s.attempted = true
		if err := remote.Tag(repo.Tag(s.tag), tr.taggable, tr.c.opts[i]...); err != nil {
			stop.Store(true)
			return fmt.Errorf("tagging %s: %s", repo.Tag(s.tag), oneLine(err))
		}
		s.written = true
	}
	return nil
}

// verify checks that target i holds the image by digest and that each of
// its tags holds the digest, all at once; a tag that holds something else
// was moved by another writer.
func (tr *tagRun) verify(ctx context.Context, i int) error {
	repo, slots := tr.c.targets[i].Repo, tr.slots[i]
	// The image by digest first, then each tag.
	return atOnce(1+len(slots), func(j int) error {
		if j == 0 {
			if d, err := headTag(repo.Digest(tr.digest), tr.c.opts[i]); err != nil || d != tr.digest {
				what := "not found"
				if err != nil {
					what = oneLine(err)
				}
				return fmt.Errorf("checking %s: %s", repo.Digest(tr.digest), what)
			}
			return nil
		}
		s := slots[j-1]
		d, err := headTag(repo.Tag(s.tag), tr.c.opts[i])
		if err != nil {
			return fmt.Errorf("checking %s: %s", repo.Tag(s.tag), oneLine(err))
		}
		s.after, s.read = d, true
		if d != tr.digest {
			s.foreign = &d
		}
		return nil
	})
}

// contested reports whether a check found another writer's value.
func (tr *tagRun) contested() bool {
	for _, row := range tr.slots {
		for _, s := range row {
			if s.foreign != nil {
				return true
			}
		}
	}
	return false
}

// headTag returns the digest ref resolves to, "" when the registry has
// no such manifest.
func headTag(ref name.Reference, opts []remote.Option) (string, error) {
	desc, err := remote.Head(ref, opts...)
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return desc.Digest.String(), nil
}

// setTag points ref at the manifest with digest in its repository, or
// deletes the tag when digest is "".
func setTag(ref name.Tag, digest string, opts []remote.Option) error {
	if digest == "" {
		if err := remote.Delete(ref, opts...); err != nil {
			return fmt.Errorf("the registry refused to delete it (%s); some registries delete manifests by digest only", refusal(err))
		}
		return nil
	}
	desc, err := remote.Get(ref.Context().Digest(digest), opts...)
	if err != nil {
		return fmt.Errorf("reading %s to put it back: %s", digest, refusal(err))
	}
	if err := remote.Tag(ref, desc, opts...); err != nil {
		return fmt.Errorf("writing it back to %s: %s", digest, refusal(err))
	}
	return nil
}

// refusal is a registry's answer in one line: its status and error codes,
// without the URL.
func refusal(err error) string {
	var terr *transport.Error
	if !errors.As(err, &terr) {
		return oneLine(err)
	}
	s := fmt.Sprintf("HTTP %d", terr.StatusCode)
	for _, d := range terr.Errors {
		s += fmt.Sprintf(" %s: %s", d.Code, d.Message)
	}
	return s
}
