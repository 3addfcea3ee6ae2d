package distribute

import (
	"context"
	"errors"
	"sync"

	"github.com/hoist-build/hoist/pkg/progress"
)

// Publisher writes one image to its targets. Every image hoist writes to a
// registry (a build, a push step, hoist push, tag and promote) goes through
// a Publisher, so every write takes the same path: blobs, then the
// manifest by digest, then the tags, only once every target holds the
// image. Wrappers add what every write needs, as ko's publishers do.
type Publisher interface {
	// Publish writes src to every target and returns one result per
	// target, in the targets' order, also when it fails.
	Publish(ctx context.Context, src *Source, targets []Target) ([]*Result, error)
}

// PublisherFunc adapts a function to Publisher.
type PublisherFunc func(ctx context.Context, src *Source, targets []Target) ([]*Result, error)

// Publish calls f.
func (f PublisherFunc) Publish(ctx context.Context, src *Source, targets []Target) ([]*Result, error) {
	return f(ctx, src, targets)
}

// Registries returns the Publisher that writes to the targets' registries
// with Copy.
func Registries() Publisher { return PublisherFunc(Copy) }

// Record is what one publish did: the --metadata-file record of a write.
type Record struct {
	// Source names what was published, e.g. a reference or a local store.
	Source string `json:"source"`
	// Digest is the manifest or index digest written.
	Digest string `json:"digest"`
	// Targets are the per-target results.
	Targets []*Result `json:"targets"`
}

// Recorder keeps the record of every publish made through Recording, in
// the order they ended. It is safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	records []Record
}

// Records returns the records kept so far.
func (r *Recorder) Records() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Record(nil), r.records...)
}

// Recording wraps next so that every publish, failed ones included, is
// recorded in rec and, when report is not nil, handed to it as well.
func Recording(next Publisher, rec *Recorder, report func(Record)) Publisher {
	return PublisherFunc(func(ctx context.Context, src *Source, targets []Target) ([]*Result, error) {
		results, err := next.Publish(ctx, src, targets)
		r := Record{Source: src.Ref, Digest: src.Digest.String(), Targets: results}
		if rec != nil {
			rec.mu.Lock()
			rec.records = append(rec.records, r)
			rec.mu.Unlock()
		}
		if report != nil {
			report(r)
		}
		return results, err
	})
}

// Showing wraps next so that each target's write appears in step's part of
// the run's progress display while it runs: one vertex per target, with
// the bytes sent, done or failed as the target's result says. A nil step
// shows nothing.
func Showing(next Publisher, step *progress.Step) Publisher {
	if step == nil {
		return next
	}
	return PublisherFunc(func(ctx context.Context, src *Source, targets []Target) ([]*Result, error) {
		tasks := make([]*progress.Task, len(targets))
		shown := make([]Target, len(targets))
		for i, t := range targets {
			task := step.Task("pushing " + t.Repo.Digest(src.Digest.String()).String())
			tasks[i] = task
			shown[i] = t
			watch := t.Watch
			shown[i].Watch = func(sent int64) {
				task.Progress("upload", sent, 0)
				if watch != nil {
					watch(sent)
				}
			}
		}
		results, err := next.Publish(ctx, src, shown)
		for i, task := range tasks {
			var terr error
			switch {
			case i >= len(results):
				terr = err
			case results[i].Status == StatusNotTagged:
				task.Log("not tagged: another target failed")
			case results[i].Status == StatusRolledBack:
				task.Log("tags moved back: %s", results[i].detail())
			case results[i].Status == StatusFailed:
				terr = errors.New(results[i].detail())
			case results[i].Status != StatusPushed:
				terr = errors.New(results[i].Status + ": " + results[i].detail())
			}
			task.Done(terr)
		}
		return results, err
	})
}
