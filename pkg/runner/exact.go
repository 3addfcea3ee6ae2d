package runner

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hoist-build/hoist/pkg/distribute"
	"github.com/hoist-build/hoist/pkg/registries"
)

// pushes reports whether the step's image leaves hoist: to the registries
// of its decision, or to its exact references.
func (sp *StepPlan) pushes() bool { return sp.Decision.Push() || len(sp.Exact) > 0 }

// decision explains where the step's image goes: the auto-push decision,
// and the exact references (hoist build -t with a full reference).
func (sp *StepPlan) decision() string {
	switch {
	case len(sp.Exact) == 0:
		return sp.Decision.String()
	case sp.Decision.Push():
		return fmt.Sprintf("%s, and to the full references given with -t", sp.Decision)
	}
	return "push to the full references given with -t"
}

// exactRefs sets the step's exact references from opts.StepRefs: pushed
// as written when the image is pushed, else only its local names. With
// StepRefsOnly they replace the auto-push decision's references.
func (pl *planner) exactRefs(sp *StepPlan, disablePush bool) error {
	var names []string
	for _, r := range pl.opts.StepRefs {
		if _, err := name.NewTag(r, name.StrictValidation); err != nil {
			return fmt.Errorf("-t %s: %w", r, err)
		}
		names = append(names, r)
	}
	if len(names) == 0 {
		return nil
	}
	if pl.opts.StepRefsOnly {
		sp.Refs = nil
	}
	sp.Refs = append(sp.Refs, names...)
	if !disablePush {
		sp.Exact = names
	}
	return nil
}

// exactTargets adds a target for each exact reference to targets: one per
// repository, with the tags the references give it, merged into a target
// of the same repository. A host in no integration is written to as a
// plain target: the credentials found for its host, and TLS as the
// registries file sets it for an integration on that host.
func exactTargets(acct *registries.Account, targets []distribute.Target, exact []string) ([]distribute.Target, error) {
	for _, r := range exact {
		ref, err := name.NewTag(r, name.StrictValidation)
		if err != nil {
			return nil, err
		}
		i := 0
		for i < len(targets) && targets[i].Repo.Name() != ref.Context().Name() {
			i++
		}
		if i < len(targets) {
			if !slices.Contains(targets[i].Tags, ref.TagStr()) {
				targets[i].Tags = append(targets[i].Tags, ref.TagStr())
			}
			continue
		}
		t, err := distribute.TargetIn(acct, ref.Context(), []string{ref.TagStr()})
		if err != nil {
			return nil, err
		}
		if t.Registry == "" {
			t.Registry = ref.RegistryStr()
		}
		targets = append(targets, t)
	}
	return targets, nil
}

// checkExact checks push access to the exact references that are in an
// integration, as checkTargets does for the decision's registries.
func checkExact(ctx context.Context, acct *registries.Account, exact []string) error {
	for _, r := range exact {
		ref, err := name.NewTag(r, name.StrictValidation)
		if err != nil {
			return err
		}
		if c := acct.For(ref.Context()); c != nil {
			if err := c.CheckPush(ctx, ref.Context()); err != nil {
				return err
			}
		}
	}
	return nil
}
