package runner

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

// Reasons a step left out by --skip or --only shows in the plan and the
// metadata file.
const (
	reasonSkip = "left out by --skip"
	reasonOnly = "not named by --only"
)

// selection is which steps --skip and --only leave out, and the notices
// about steps kept because a step that runs waits for them.
type selection struct {
	// out maps each step left out to the reason.
	out map[*pipeline.Step]string
	// notices are one line each.
	notices []string
}

// selectSteps applies --only, then --skip, to the steps of p at every
// depth (parallel blocks' children and scale: entries too). --only STEP
// keeps STEP, the steps inside it and the blocks that hold it; --skip
// STEP leaves out STEP and the steps inside it (see stepNames for scale:
// entries). A step left out that a
// step still run waits for (when.steps, or a push step's candidate
// ${{STEP}}) is kept, with a notice. A name no step has is an input
// error listing the names there are.
func selectSteps(p *pipeline.Pipeline, skip, only []string) (*selection, error) {
	sel := &selection{out: map[*pipeline.Step]string{}}
	if len(skip) == 0 && len(only) == 0 {
		return sel, nil
	}
	byName := map[string][]*pipeline.Step{}
	parent := map[*pipeline.Step]*pipeline.Step{}
	var all []*pipeline.Step
	var index func(s, up *pipeline.Step)
	index = func(s, up *pipeline.Step) {
		all = append(all, s)
		byName[s.Name] = append(byName[s.Name], s)
		parent[s] = up
		for _, c := range s.Children {
			index(c, s)
		}
	}
	for _, s := range p.Steps {
		index(s, nil)
	}
	var err error
	if only, err = stepNames("--only", only, all, byName); err != nil {
		return nil, err
	}
	if skip, err = stepNames("--skip", skip, all, byName); err != nil {
		return nil, err
	}
	within := func(s *pipeline.Step, names []string) bool {
		for d := s; d != nil; d = parent[d] {
			if slices.Contains(names, d.Name) {
				return true
			}
		}
		return false
	}
	if len(only) > 0 {
		holds := map[*pipeline.Step]bool{}
		for _, n := range only {
			for _, s := range byName[n] {
				for up := parent[s]; up != nil; up = parent[up] {
					holds[up] = true
				}
			}
		}
		for _, s := range all {
			if !within(s, only) && !holds[s] {
				sel.out[s] = reasonOnly
			}
		}
	}
	for _, s := range all {
		if within(s, skip) {
			sel.out[s] = reasonSkip
		}
	}
	sel.keepWaitedFor(all, byName, parent)
	return sel, nil
}

// stepNames returns the names of the steps the flag's values name. A
// scale: entry is named by its entry name, or as STEP/ENTRY (the name
// hoist gives an entry whose name another step also has); a bare entry
// name several steps' scale: entries share is an input error naming the
// STEP/ENTRY names to pick from, as is a name no step has.
func stepNames(flag string, names []string, all []*pipeline.Step, byName map[string][]*pipeline.Step) ([]string, error) {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if len(byName[n]) > 0 {
			out = append(out, n)
			continue
		}
		var scoped []string
		for _, s := range all {
			if s.ScaleOf == "" {
				continue
			}
			if s.ScaleOf+"/"+s.Entry() == n {
				scoped = []string{s.Name}
				break
			}
			if s.Entry() == n {
				scoped = append(scoped, s.Name)
			}
		}
		switch {
		case len(scoped) == 1:
			out = append(out, scoped[0])
		case len(scoped) > 1:
			return nil, errs.Input("%s %s: the scale: entries of several steps have this name; name one as %s", flag, n, strings.Join(scoped, " or "))
		default:
			known := make([]string, 0, len(byName))
			for k := range byName {
				known = append(known, k)
			}
			sort.Strings(known)
			return nil, errs.Input("%s %s: no step is named so; the steps are %s", flag, n, strings.Join(known, ", "))
		}
	}
	return out, nil
}

// keepWaitedFor puts back, until nothing changes, every step left out
// that a step still run waits for, with the blocks that hold it and the
// steps inside it, and says so. Only build and push steps (and blocks
// holding one) count as waiting: hoist does not run a freestyle step, so
// one that waits for a step left out keeps nothing.
func (sel *selection) keepWaitedFor(all []*pipeline.Step, byName map[string][]*pipeline.Step, parent map[*pipeline.Step]*pipeline.Step) {
	keep := func(s *pipeline.Step) {
		for up := s; up != nil; up = parent[up] {
			delete(sel.out, up)
		}
		s.Walk(func(d *pipeline.Step) { delete(sel.out, d) })
	}
	for changed := true; changed; {
		changed = false
		for _, s := range all {
			if _, left := sel.out[s]; left || !runsBuildOrPush(s) {
				continue
			}
			for _, dep := range waitsOn(s) {
				for _, d := range byName[dep] {
					why, left := sel.out[d]
					if !left {
						continue
					}
					keep(d)
					sel.notices = append(sel.notices, fmt.Sprintf("hoist: notice: step %s is run though it is %s: step %s waits for it", d.Name, why, s.Name))
					changed = true
				}
			}
		}
	}
}

// runsBuildOrPush tells whether s is, or holds, a build or push step.
func runsBuildOrPush(s *pipeline.Step) bool {
	found := false
	s.Walk(func(d *pipeline.Step) { found = found || d.Build != nil || d.Push != nil })
	return found
}

// waitsOn names the steps s waits for: its when.steps, and the build step
// a push step's candidate names (${{STEP}} or ${{steps.STEP.*}}).
func waitsOn(s *pipeline.Step) []string {
	var names []string
	for _, d := range s.When.Deps() {
		names = append(names, d.Name)
	}
	if s.Push != nil {
		names = append(names, pipeline.RefNames(s.Push.Candidate)...)
	}
	return names
}
