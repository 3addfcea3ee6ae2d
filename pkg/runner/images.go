package runner

import (
	"context"
	"io"

	"github.com/hoist-build/hoist/pkg/pipeline"
)

// Images returns the image names p's build and push steps write, after
// variables, as a dry run plans them: where hoist images looks in
// registries that do not list their repositories. Steps a dry run skips
// (branch rules, conditions) name none.
func Images(ctx context.Context, p *pipeline.Pipeline, opts Options) ([]string, error) {
	results, err := Run(ctx, p, opts, Exec{DryRun: true, Out: io.Discard, Log: io.Discard})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range results {
		if r.Skipped != "" || r.Image == "" || seen[r.Image] {
			continue
		}
		seen[r.Image] = true
		out = append(out, r.Image)
	}
	return out, nil
}
