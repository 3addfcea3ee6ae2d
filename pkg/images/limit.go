package images

import (
	"context"
	"fmt"
	"sync"

	"github.com/hoist-build/hoist/pkg/registries"
)

// newSession returns a session that keeps at most limit registry
// requests in flight at once, across all registries
// (registries.DefaultConcurrency when limit < 1).
func newSession(acct *registries.Account, limit int) *session {
	if limit < 1 {
		limit = registries.DefaultConcurrency
	}
	return &session{acct: acct, details: map[string]*detailsEntry{}, slots: make(chan struct{}, limit)}
}

// limit returns the session's bound on requests in flight.
func (s *session) limit() int { return cap(s.slots) }

// do runs fn, which makes registry requests one after the other, once one
// of the session's slots is free; it returns ctx's error if ctx ends
// first. fn must not call do.
func (s *session) do(ctx context.Context, fn func() error) error {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	defer func() { <-s.slots }()
	return fn()
}

// eachRegistry runs fn for every registry, as many at once as the
// session's limit, and returns what each found and one warning per
// registry that failed. Each registry's idle connections are closed once
// fn is done with it, so that thousands of registries do not keep a
// socket open each.
func (s *session) eachRegistry(ctx context.Context, regs []*registries.Integration, fn func(*registries.Integration) ([]*found, error)) ([][]*found, []string) {
	found := make([][]*found, len(regs))
	errs := make([]error, len(regs))
	running := make(chan struct{}, s.limit())
	var wg sync.WaitGroup
	for i, r := range regs {
		select {
		case running <- struct{}{}:
		case <-ctx.Done():
			errs[i] = fmt.Errorf("registry %s: %w", r, context.Cause(ctx))
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-running }()
			found[i], errs[i] = fn(r)
			s.acct.Client(r).CloseIdleConnections()
		}()
	}
	wg.Wait()
	var warnings []string
	for _, err := range errs {
		if err != nil {
			warnings = append(warnings, err.Error())
		}
	}
	return found, warnings
}
