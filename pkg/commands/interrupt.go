package commands

import (
	"context"
	"fmt"
	"io"

	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/registries"
)

// interruptible runs load and returns what it returns, or ctx's cause as
// soon as ctx is done. Reading a file can block for ever (a FIFO that no
// one writes), and a signal must still stop hoist: load then ends, or not,
// on its own, and its result is dropped.
func interruptible[T any](ctx context.Context, load func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, context.Cause(ctx)
	}
	ch := make(chan result, 1)
	go func() {
		v, err := load()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}

// loadPipeline loads the pipeline file at path, or returns once ctx is
// done.
func loadPipeline(ctx context.Context, path string) (*pipeline.Pipeline, error) {
	return interruptible(ctx, func() (*pipeline.Pipeline, error) { return pipeline.LoadFile(path) })
}

// warnFields prints one warning line per field of p that loads but that
// hoist does not act on, and one notice line per field hoist acts on
// otherwise than a user may expect, each naming its file, line and field.
func warnFields(w io.Writer, p *pipeline.Pipeline) {
	for _, warning := range p.Warnings {
		fmt.Fprintf(w, "hoist: warning: %s\n", warning)
	}
	for _, notice := range p.Notices {
		fmt.Fprintf(w, "hoist: notice: %s\n", notice)
	}
}

// loadRegistries loads the registries file at path, or returns once ctx
// is done.
func loadRegistries(ctx context.Context, path string) (*registries.Config, error) {
	return interruptible(ctx, func() (*registries.Config, error) { return registries.LoadFile(path) })
}
