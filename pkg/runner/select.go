package runner

import (
	"fmt"
	"regexp"
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

// stepRef finds the step a ${{STEP}} or ${{steps.STEP.field}} reference
// names.
var stepRef = regexp.MustCompile(`\$\{\{\s*(steps\.[A-Za-z0-9_\-]+|[A-Za-z0-9_\-]+)`)

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
// STEP leaves out STEP and the steps inside it. A step left out that a
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
	for _, list := range []struct {
		flag  string
		names []string
	}{{"--only", only}, {"--skip", skip}} {
		for _, n := range list.names {
			if len(byName[n]) == 0 {
				known := make([]string, 0, len(byName))
				for k := range byName {
					known = append(known, k)
				}
				sort.Strings(known)
				return nil, errs.Input("%s %s: no step is named so; the steps are %s", list.flag, n, strings.Join(known, ", "))
			}
		}
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

// keepWaitedFor puts back, until nothing changes, every step left out
// that a step still run waits for, with the blocks that hold it and the
// steps inside it, and says so.
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
			if _, left := sel.out[s]; left {
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

// waitsOn names the steps s waits for: its when.steps, and the build step
// a push step's candidate names (${{STEP}} or ${{steps.STEP.*}}).
func waitsOn(s *pipeline.Step) []string {
	var names []string
	for _, d := range s.When.Deps() {
		names = append(names, d.Name)
	}
	if s.Push != nil {
		for _, m := range stepRef.FindAllStringSubmatch(s.Push.Candidate, -1) {
			names = append(names, strings.TrimPrefix(m[1], "steps."))
		}
	}
	return names
}
