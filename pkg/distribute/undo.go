package distribute

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// undo puts back the tags this run moved, tag by tag, across the targets
// that have the tag, on a context of its own that ctx's cancellation does
// not reach, bounded by RestoreTimeout.
//
// Registries have no compare-and-swap for tags, so undo reads each tag
// first and writes only where the tag holds this run's digest:
//   - no other writer seen at the tag: each target gets back what it held
//     before the run (a tag that did not exist is deleted, where the
//     registry allows deleting by tag);
//   - another writer seen: its value wins. Where the tag holds this run's
//     digest, hoist writes the value the other targets agree on, so that
//     all targets end with the same image; when they disagree, or all hold
//     this run's digest, hoist leaves them and the results say so.
func (tr *tagRun) undo(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), RestoreTimeout)
	defer cancel()
	opts := make([][]remote.Option, len(tr.c.targets))
	for i, t := range tr.c.targets {
		opts[i] = targetOptions(ctx, t, t.Transport)
	}
	var groups [][]*slot
	byTag := map[string]int{}
	for _, row := range tr.slots {
		for _, s := range row {
			g, ok := byTag[s.tag]
			if !ok {
				g = len(groups)
				byTag[s.tag] = g
				groups = append(groups, nil)
			}
			groups[g] = append(groups[g], s)
		}
	}
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr.settle(ctx, g, opts)
		}()
	}
	wg.Wait()
}

// settle puts one tag back at the targets in g; see undo.
func (tr *tagRun) settle(ctx context.Context, g []*slot, opts [][]remote.Option) {
	for pass := 0; pass <= settlePasses; pass++ {
		tr.readAll(ctx, g, opts)
		mine, want, contested := tr.plan(g)
		if len(mine) == 0 {
			return
		}
		if pass > 0 {
			// Still to do after a write: another writer yielded to this
			// run as it yielded to them. Wait a random time, so that one
			// of the two goes first, and look again.
			select {
			case <-ctx.Done():
				return
			case <-time.After(50*time.Millisecond + rand.N(settleJitter)):
			}
			tr.readAll(ctx, g, opts)
			if mine, want, contested = tr.plan(g); len(mine) == 0 {
				return
			}
		}
		tr.setAll(ctx, mine, want, contested, opts)
		if !contested {
			tr.readAll(ctx, g, opts)
			return
		}
	}
}

// plan says, from what the tags in g hold now, which ones this run must
// write (those holding its digest) and what to write to each; see undo.
func (tr *tagRun) plan(g []*slot) (mine []*slot, want func(*slot) string, contested bool) {
	for _, s := range g {
		if s.read && s.after != tr.digest && s.after != s.before && !(s.yielded && s.after == s.restoreValue) {
			v := s.after
			s.foreign = &v
		}
		contested = contested || s.foreign != nil
	}
	for _, s := range g {
		s.contested = contested
		if s.attempted && s.read && s.after == tr.digest && s.before != tr.digest {
			mine = append(mine, s)
		}
	}
	if !contested {
		return mine, func(s *slot) string { return s.before }, false
	}
	var others []*slot
	for _, s := range g {
		if s.read && s.after != tr.digest {
			others = append(others, s)
		}
	}
	if len(others) == 0 {
		return nil, nil, true // every target holds this run's digest: one image everywhere
	}
	for _, s := range others[1:] {
		if s.after != others[0].after {
			return nil, nil, true // the other writers disagree: the results report the split
		}
	}
	v := others[0].after
	return mine, func(*slot) string { return v }, true
}

// readAll reads what each tag in g holds now.
func (tr *tagRun) readAll(ctx context.Context, g []*slot, opts [][]remote.Option) {
	var wg sync.WaitGroup
	for _, s := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := headTag(tr.c.targets[s.target].Repo.Tag(s.tag), opts[s.target])
			s.after, s.read, s.readErr = d, err == nil, err
		}()
	}
	wg.Wait()
}

// setAll points each tag in g at want(s); yield says want is another
// writer's value.
func (tr *tagRun) setAll(ctx context.Context, g []*slot, want func(*slot) string, yield bool, opts [][]remote.Option) {
	var wg sync.WaitGroup
	for _, s := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := want(s)
			s.restoreValue = v
			s.restoreErr = setTag(tr.c.targets[s.target].Repo.Tag(s.tag), v, opts[s.target])
			s.restored = s.restored || s.restoreErr == nil
			s.yielded = yield && s.restoreErr == nil
		}()
	}
	wg.Wait()
}

// finish fills in each target's result from its slots: its status, the
// tags that hold the digest, and what became of each tag. errs are the
// targets' own failures.
func (tr *tagRun) finish(ctx context.Context, errs []error) {
	c := tr.c
	done := ctx.Err() == nil && !tr.contested()
	for _, err := range errs {
		done = done && err == nil
	}
	if ctx.Err() != nil {
		c.failed, c.cause = true, context.Cause(ctx)
	}
	for i, r := range c.results {
		r.TagChanges = []TagChange{}
		var notRestored, contested, restored bool
		for _, s := range tr.slots[i] {
			if !s.recorded {
				continue
			}
			tc := TagChange{Tag: s.tag, Before: s.before, After: s.after}
			switch {
			case done:
				tc.Outcome = TagMoved
			case !s.read:
				tc.Outcome, tc.Error = TagUnknown, oneLine(s.readErr)
			case s.restoreErr != nil && s.after != s.restoreValue:
				tc.Outcome, tc.Error = TagNotRestored, s.restoreErr.Error()
				notRestored = true
			case s.after == tr.digest:
				tc.Outcome = TagMoved
				if s.contested {
					tc.Error = "another writer moved it while hoist wrote it"
				}
			case s.after == s.before && s.foreign == nil:
				tc.Outcome = TagNotMoved
				if s.written || s.restored {
					tc.Outcome = TagRestored
					restored = true
				}
			case s.yielded && s.after == s.restoreValue:
				tc.Outcome = TagConflict
				tc.Error = "another writer moved it while hoist wrote it; hoist pointed it here at that writer's image too, so the targets agree"
			default:
				tc.Outcome = TagConflict
				tc.Error = "another writer moved it while hoist wrote it"
			}
			if tc.Outcome == TagMoved {
				r.Tags = append(r.Tags, s.tag)
			}
			contested = contested || s.contested || s.foreign != nil
			r.TagChanges = append(r.TagChanges, tc)
		}
		switch {
		case done:
			r.Status = StatusPushed
		case notRestored:
			r.Status = StatusNotRestored
		case errs[i] != nil:
			r.Status = StatusFailed
		case contested:
			r.Status = StatusConflict
		case restored:
			r.Status = StatusRolledBack
		default:
			r.Status = StatusNotTagged
		}
		if errs[i] != nil {
			r.Error = errs[i].Error()
		}
		if r.Status != StatusPushed {
			c.failed = true
		}
	}
}
