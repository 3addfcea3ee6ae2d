package build

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	"golang.org/x/sync/errgroup"
)

// Pool is the builders of a run. Each build goes to the least busy
// builder, preferring the one that last built the same image, to keep its
// cache warm. A multi-platform build whose platforms several builders
// build natively is split among them, each platform on its own node, and
// the index assembled by digest (as buildx's multi-node builders do).
type Pool struct {
	mu      sync.Mutex
	members []*member
	// last maps an image's repository to the member that built it last.
	last map[string]*member
	// asked is how many builders the run named: with more than one, each
	// build says which built it, also when some did not answer.
	asked int
}

// member is one builder of a pool and how many builds it runs now.
type member struct {
	*Builder
	busy int
}

// ConnectPool reaches every builder of opts at once. A builder that does
// not answer is left out with one warning line on log; the pool fails only
// when none answers. With one entry, or none, it is Connect.
func ConnectPool(ctx context.Context, opts []Options, log io.Writer) (*Pool, error) {
	if len(opts) <= 1 {
		var o Options
		if len(opts) == 1 {
			o = opts[0]
		}
		o.Log = log
		b, err := Connect(ctx, o)
		if err != nil {
			return nil, err
		}
		return &Pool{members: []*member{{Builder: b}}, last: map[string]*member{}}, nil
	}
	builders := make([]*Builder, len(opts))
	errs := make([]error, len(opts))
	var wg sync.WaitGroup
	for i, o := range opts {
		if o.Addr == "" {
			return nil, fmt.Errorf("builder %s: an address is required in a pool", o.Name)
		}
		o.Log = log
		wg.Add(1)
		go func() {
			defer wg.Done()
			builders[i], errs[i] = Connect(ctx, o)
		}()
	}
	wg.Wait()
	p := &Pool{last: map[string]*member{}, asked: len(opts)}
	var failed []string
	for i, b := range builders {
		if errs[i] != nil {
			fmt.Fprintf(log, "hoist: warning: %v; building on the others\n", errs[i])
			failed = append(failed, errs[i].Error())
			continue
		}
		p.members = append(p.members, &member{Builder: b})
	}
	if len(p.members) == 0 {
		return nil, fmt.Errorf("no builder answers: %s", strings.Join(failed, "; "))
	}
	return p, nil
}

// Close closes every builder.
func (p *Pool) Close() error {
	var first error
	for _, m := range p.members {
		if err := m.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Names lists the pool's builders.
func (p *Pool) Names() []string {
	var out []string
	for _, m := range p.members {
		out = append(out, m.Name)
	}
	return out
}

// Build runs req on the pool: on one builder, or split by platform among
// the builders that build each natively.
func (p *Pool) Build(ctx context.Context, req Request) (*Result, error) {
	if nodes := p.nativeNodes(req.Platforms); nodes != nil && !req.wholeOnly() {
		return p.buildSplit(ctx, req, nodes)
	}
	m := p.acquire(imageKey(req), nil)
	defer p.release(m)
	res, err := m.Build(ctx, req)
	if err != nil {
		return nil, err
	}
	if p.asked > 1 {
		res.Builder = m.Name // which one of a pool
	}
	return res, nil
}

// acquire picks the least busy member among those allowed (all when nil),
// preferring the one that last built key, and counts the build.
func (p *Pool) acquire(key string, allowed []*member) *member {
	p.mu.Lock()
	defer p.mu.Unlock()
	if allowed == nil {
		allowed = p.members
	}
	best := allowed[0]
	for _, m := range allowed[1:] {
		if m.busy < best.busy {
			best = m
		}
	}
	if last := p.last[key]; last != nil && last.busy <= best.busy && slices.Contains(allowed, last) {
		best = last
	}
	best.busy++
	if key != "" {
		p.last[key] = best
	}
	return best
}

func (p *Pool) release(m *member) {
	p.mu.Lock()
	m.busy--
	p.mu.Unlock()
}

// nativeNodes returns, for a multi-platform build, the members that build
// each platform natively, when no one member builds them all natively and
// every platform has one; nil otherwise (the build runs on one builder,
// emulating what it must).
func (p *Pool) nativeNodes(plats []string) map[string][]*member {
	if len(plats) < 2 || len(p.members) < 2 {
		return nil
	}
	nodes := map[string][]*member{}
	for _, m := range p.members {
		all := true
		for _, pl := range plats {
			if m.native(pl) {
				nodes[pl] = append(nodes[pl], m)
			} else {
				all = false
			}
		}
		if all {
			return nil
		}
	}
	for _, pl := range plats {
		if len(nodes[pl]) == 0 {
			return nil
		}
	}
	return nodes
}

// buildSplit builds each platform on a node that builds it natively, all
// at once, then assembles the index in the local store.
func (p *Pool) buildSplit(ctx context.Context, req Request, nodes map[string][]*member) (*Result, error) {
	children := make([]*Result, len(req.Platforms))
	used := make([]string, len(req.Platforms))
	eg, ectx := errgroup.WithContext(ctx)
	for i, pl := range req.Platforms {
		eg.Go(func() error {
			m := p.acquire(imageKey(req)+"@"+pl, nodes[pl])
			defer p.release(m)
			one := req
			one.Platforms = []string{pl}
			one.Progress = req.Progress.Child(pl)
			res, err := m.Build(ectx, one)
			if err != nil {
				return fmt.Errorf("%s on builder %s: %w", pl, m.Name, err)
			}
			children[i], used[i] = res, m.Name+" ("+pl+")"
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	res, err := assembleIndex(ctx, req, children)
	if err != nil {
		return nil, err
	}
	res.Builder = strings.Join(used, ", ")
	return res, nil
}

// imageKey is the repository a request builds, for builder affinity.
func imageKey(req Request) string {
	if len(req.Names) == 0 {
		return ""
	}
	if ref, err := name.ParseReference(req.Names[0]); err == nil {
		return ref.Context().Name()
	}
	return req.Names[0]
}

// native reports whether the builder builds platform pl natively: one of
// its declared platforms, or its workers' first (the others BuildKit
// lists are emulated).
func (b *Builder) native(pl string) bool {
	want, err := platforms.Parse(pl)
	if err != nil {
		return false
	}
	for _, have := range b.Platforms {
		if h, err := platforms.Parse(have); err == nil && platforms.OnlyStrict(h).Match(want) {
			return true
		}
	}
	return false
}
