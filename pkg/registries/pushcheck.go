package registries

import (
	"context"
	"sync"
)

// pushChecks runs one push check per repository at a time and keeps the
// successes: a pipeline's steps, and a build's target and cache checks,
// that push to one repository check it once.
type pushChecks struct {
	mu sync.Mutex
	m  map[string]*pushCheck
}

// pushCheck is one check of a repository: done closes when err is set.
type pushCheck struct {
	done chan struct{}
	err  error
}

// do returns check's answer for repo: a kept success, the answer of the
// check under way, or a new check's. A failure is not kept; a caller whose
// ctx ends stops waiting.
func (p *pushChecks) do(ctx context.Context, repo string, check func() error) error {
	p.mu.Lock()
	if p.m == nil {
		p.m = map[string]*pushCheck{}
	}
	c := p.m[repo]
	if c == nil {
		c = &pushCheck{done: make(chan struct{})}
		p.m[repo] = c
		go func() {
			err := check()
			p.mu.Lock()
			c.err = err
			if err != nil {
				delete(p.m, repo)
			}
			p.mu.Unlock()
			close(c.done)
		}()
	}
	p.mu.Unlock()
	select {
	case <-c.done:
		return c.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
