package pipeline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hoist-build/hoist/pkg/errs"
)

// ImplicitClone is the clone step Codefresh adds to a pipeline that has
// none; when.steps may wait for it though the file does not define it.
const ImplicitClone = "main_clone"

// Waits returns, for each top-level step, the top-level steps it waits
// for in mode: parallel: those its when.steps names and those its
// children's name, each step mapped to the top-level step that holds it.
// Names of no step, such as the implicit main_clone, are left out.
func (p *Pipeline) Waits() map[string][]string {
	top := p.owners()
	waits := map[string][]string{}
	for _, s := range p.Steps {
		var ws []string
		s.Walk(func(d *Step) {
			for _, dep := range d.When.Deps() {
				t, ok := top[dep.Name]
				if ok && t != s.Name && !slices.Contains(ws, t) {
					ws = append(ws, t)
				}
			}
		})
		waits[s.Name] = ws
	}
	return waits
}

// Defines reports whether a step of the pipeline, at any depth, is named n.
func (p *Pipeline) Defines(n string) bool {
	_, ok := p.owners()[n]
	return ok
}

// Has reports whether a step of the pipeline, at any depth (inside
// parallel blocks and scale: groups too), is of type t.
func (p *Pipeline) Has(t StepType) bool {
	found := false
	for _, s := range p.Steps {
		s.Walk(func(d *Step) { found = found || d.Type == t })
	}
	return found
}

// owners maps every step's name to the top-level step that holds it.
func (p *Pipeline) owners() map[string]string {
	top := map[string]string{}
	for _, s := range p.Steps {
		s.Walk(func(d *Step) { top[d.Name] = s.Name })
	}
	return top
}

// Walk calls f for s and every step inside it, depth first.
func (s *Step) Walk(f func(*Step)) {
	f(s)
	for _, c := range s.Children {
		c.Walk(f)
	}
}

// checkWaits finds when.steps entries that name no step, and, in mode:
// parallel, steps that end up waiting for themselves.
func (p *Pipeline) checkWaits() []error {
	known := map[string]bool{ImplicitClone: true}
	for _, s := range p.Steps {
		s.Walk(func(d *Step) { known[d.Name] = true })
	}
	var problems []error
	for _, s := range p.Steps {
		s.Walk(func(d *Step) {
			for _, dep := range d.When.Deps() {
				if !known[dep.Name] {
					problems = append(problems, &errs.InputError{File: p.File, Line: dep.Line, Col: dep.Col, Field: "steps." + d.Name + ".when.steps",
						Msg: fmt.Sprintf("no step is named %q", dep.Name) + suggest(dep.Name, known)})
				}
			}
		})
	}
	if p.Mode != ModeParallel || len(problems) > 0 {
		return problems
	}
	// Depth-first search; a step met again while its own search is under
	// way closes a cycle.
	waits := p.Waits()
	const (
		open = 1
		done = 2
	)
	mark := map[string]int{}
	var path []string
	var visit func(n string) []string
	visit = func(n string) []string {
		mark[n] = open
		path = append(path, n)
		for _, w := range waits[n] {
			switch mark[w] {
			case open:
				i := slices.Index(path, w)
				return append(slices.Clone(path[i:]), w)
			case 0:
				if c := visit(w); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		mark[n] = done
		return nil
	}
	for _, s := range p.Steps {
		if mark[s.Name] != 0 {
			continue
		}
		if cycle := visit(s.Name); cycle != nil {
			field, line, col := p.waitFor(cycle[0], cycle[1])
			return []error{&errs.InputError{File: p.File, Line: line, Col: col, Field: field,
				Msg: "steps wait for each other, so none can start: " + strings.Join(cycle, " waits for ")}}
		}
	}
	return nil
}

// waitFor finds the when.steps entry by which top-level step a waits for
// top-level step b, and returns its field and position.
func (p *Pipeline) waitFor(a, b string) (field string, line, col int) {
	top := p.owners()
	for _, s := range p.Steps {
		if s.Name != a {
			continue
		}
		s.Walk(func(d *Step) {
			if line != 0 {
				return
			}
			for _, dep := range d.When.Deps() {
				if top[dep.Name] == b {
					field, line, col = "steps."+d.Name+".when.steps", dep.Line, dep.Col
					return
				}
			}
		})
	}
	return field, line, col
}
