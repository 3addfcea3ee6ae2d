package policy

import (
	"fmt"
	"strings"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/registries"
)

// Rule is the rule of the auto-push policy that made a decision, numbered as
// in PRODUCT.md section 3.
type Rule int

// The rules, first to last.
const (
	RuleDisablePush Rule = iota + 1
	RuleStepRegistry
	RulePipeline
	RuleAccountAutoPush
	RuleAccountDefault
	RuleNoRegistries
	// RulePushStep is not a rule of the policy: push steps always push.
	RulePushStep
)

var ruleText = map[Rule]string{
	RuleDisablePush:     "the step sets disable_push",
	RuleStepRegistry:    "the step's registry",
	RulePipeline:        "the pipeline's auto-push setting",
	RuleAccountAutoPush: "the account's auto_push",
	RuleAccountDefault:  "the account's default registry",
	RuleNoRegistries:    "no registries are configured",
	RulePushStep:        "push steps always push",
}

// String reads "rule N: text".
func (r Rule) String() string {
	if r == RulePushStep {
		return ruleText[r]
	}
	return fmt.Sprintf("rule %d: %s", int(r), ruleText[r])
}

// Pipeline is the pipeline's own auto-push setting (rule 3).
type Pipeline struct {
	// Registry names the pipeline's auto-push registry.
	Registry string
	// NoPush turns auto-push off for the pipeline.
	NoPush bool
}

// Step is what a build step says about pushing.
type Step struct {
	Name        string
	DisablePush bool
	// Registries are the step's own registries: one from a pipeline file,
	// one or more from hoist build's flags.
	Registries []string
}

// Decision is where one build step's image goes.
type Decision struct {
	// Registries are the integrations pushed to; none means nowhere.
	Registries []*registries.Integration
	Rule       Rule
}

// Push reports whether the image is pushed.
func (d Decision) Push() bool { return len(d.Registries) > 0 }

// String explains the decision, e.g. `push to "prod" (rule 2: the step's registry)`.
func (d Decision) String() string {
	if !d.Push() {
		return fmt.Sprintf("no push (%s)", d.Rule)
	}
	names := make([]string, len(d.Registries))
	for i, r := range d.Registries {
		names[i] = fmt.Sprintf("%q", r.Name)
	}
	return fmt.Sprintf("push to %s (%s)", strings.Join(names, ", "), d.Rule)
}

// ErrUndecided is returned for a step that sets neither registry nor
// disable_push when the account's auto_push mode is users-decide.
var ErrUndecided = &errs.InputError{Msg: "the account's auto_push mode is users-decide, so the step must set registry or disable_push"}

// Decide applies the auto-push policy to a build step. Names that are not
// in cfg, and a users-decide account with a step that decides nothing, are
// input errors. cfg may be nil: no registries at all.
func Decide(step Step, pipe Pipeline, cfg *registries.Config) (Decision, error) {
	get := func(name, what string) ([]*registries.Integration, error) {
		r, err := cfg.Lookup(name)
		if err != nil {
			return nil, errs.Input("%s: %w", what, err)
		}
		return []*registries.Integration{r}, nil
	}
	switch {
	case step.DisablePush:
		return Decision{Rule: RuleDisablePush}, nil
	case len(step.Registries) > 0:
		d := Decision{Rule: RuleStepRegistry}
		for _, n := range step.Registries {
			r, err := get(n, "step "+step.Name+": registry")
			if err != nil {
				return Decision{}, err
			}
			d.Registries = append(d.Registries, r...)
		}
		return d, nil
	case pipe.NoPush:
		return Decision{Rule: RulePipeline}, nil
	case pipe.Registry != "":
		r, err := get(pipe.Registry, "pipeline auto-push registry")
		return Decision{Registries: r, Rule: RulePipeline}, err
	}
	if cfg == nil || len(cfg.Registries) == 0 {
		return Decision{Rule: RuleNoRegistries}, nil
	}
	switch cfg.AutoPush.Mode {
	case registries.AutoPushNever:
		return Decision{Rule: RuleAccountAutoPush}, nil
	case registries.AutoPushUsersDecide:
		return Decision{}, ErrUndecided
	}
	if cfg.AutoPush.Registry != "" {
		r, err := get(cfg.AutoPush.Registry, "auto_push.registry")
		return Decision{Registries: r, Rule: RuleAccountAutoPush}, err
	}
	r, err := get(cfg.Default, "default")
	return Decision{Registries: r, Rule: RuleAccountDefault}, err
}

// known lists cfg's registry names for an error message.
