package registries

import (
	"context"
	"sync"

	"golang.org/x/sync/singleflight"
)

// pushChecks runs one push check per repository at a time and keeps the
// successes: a pipeline's steps, and a build's target and cache checks,
// that push to one repository check it once.
type pushChecks struct {
	flight singleflight.Group
	passed sync.Map // repository → true
}

// do returns check's answer for repo: a kept success, the answer of the
// check under way, or a new check's. A failure is not kept; a caller whose
// ctx ends stops waiting.
func (p *pushChecks) do(ctx context.Context, repo string, check func() error) error {
	if _, ok := p.passed.Load(repo); ok {
		return nil
	}
	ch := p.flight.DoChan(repo, func() (any, error) {
		err := check()
		if err == nil {
			p.passed.Store(repo, true)
		}
		return nil, err
	})
	select {
	case r := <-ch:
		return r.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}
