package runner

import (
	"context"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hoist-build/hoist/pkg/gitinfo"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

// Images returns the image names p's build and push steps write, after
// variables: where hoist images looks in registries that do not list
// their repositories. Every step counts, whatever its when: says; a name
// that uses a variable unknown outside a run is left out, as is a push
// step's image that is its build step's.
func Images(ctx context.Context, p *pipeline.Pipeline, opts Options) []string {
	if opts.Git == nil {
		info := gitinfo.Read(ctx, p.Dir)
		opts.Git = &info
	}
	vars := initialVars(*opts.Git, p, opts)
	seen := map[string]bool{}
	var out []string
	add := func(image string) {
		v, err := vars.Expand(image)
		if err != nil || v == "" || seen[v] {
			return
		}
		seen[v] = true
		out = append(out, v)
	}
	for _, s := range p.Steps {
		s.Walk(func(s *pipeline.Step) {
			switch {
			case s.Build != nil:
				add(s.Build.ImageName)
			case s.Push != nil && s.Push.ImageName != "":
				add(s.Push.ImageName)
			case s.Push != nil && !strings.Contains(s.Push.Candidate, "${{"):
				if ref, err := name.ParseReference(s.Push.Candidate); err == nil {
					add(ref.Context().RepositoryStr())
				}
			}
		})
	}
	return out
}
