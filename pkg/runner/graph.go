package runner

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hoist-build/hoist/pkg/pipeline"
)

// runGraph runs a pipeline in Codefresh's parallel mode: every top-level
// step, parallel blocks included, starts as soon as the steps its
// when.steps names have ended, the others at once. Each step's output is
// printed whole when it ends. After a step fails without fail_fast: false,
// no further step starts; those already running end.
func (pl *planner) runGraph(ctx context.Context, p *pipeline.Pipeline, ex Exec) ([]*StepResult, error) {
	waits := p.Waits()
	done := map[string]chan struct{}{}
	for _, s := range p.Steps {
		done[s.Name] = make(chan struct{})
	}
	var mu sync.Mutex // guards slots, first and ex.Out
	slots := make(map[string][]*StepResult, len(p.Steps))
	var first error
	run := func(s *pipeline.Step) {
		mu.Lock()
		if first != nil {
			fmt.Fprintf(ex.Out, "step %s: not started: a step failed\n", s.Name)
			mu.Unlock()
			return
		}
		mu.Unlock()
		var out bytes.Buffer
		sex := ex
		sex.Out = &out
		if s.Type != pipeline.TypeParallel {
			// Steps run at the same time: each shows under its name. A
			// block names its children itself.
			sex.Progress = ex.Progress.Child(s.Name)
		}
		rs, err := pl.runStep(ctx, s, sex)
		for _, r := range rs {
			pl.ended(r)
		}
		mu.Lock()
		defer mu.Unlock()
		block := out.Bytes()
		if w := waits[s.Name]; len(w) > 0 && len(block) > 0 {
			// Under the step's first line: what it waited for.
			i := bytes.IndexByte(block, '\n') + 1
			ex.Out.Write(block[:i])
			fmt.Fprintf(ex.Out, "  after %s\n", strings.Join(w, ", "))
			block = block[i:]
		}
		ex.Out.Write(block)
		slots[s.Name] = rs
		if err != nil && !goesOn(s, err, ex.Out) && first == nil {
			first = err
		}
	}
	if ex.DryRun {
		// Nothing takes time: run the steps one by one, each time the
		// first in file order whose waits have ended, so the plan reads
		// the same on every run.
		for _, s := range graphOrder(p.Steps, waits) {
			run(s)
		}
		return inFileOrder(p.Steps, slots), first
	}
	var wg sync.WaitGroup
	for _, s := range p.Steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[s.Name])
			for _, w := range waits[s.Name] {
				<-done[w]
			}
			run(s)
		}()
	}
	wg.Wait()
	return inFileOrder(p.Steps, slots), first
}

// inFileOrder joins the steps' results in the order the file lists them,
// whatever order they ended in.
func inFileOrder(steps []*pipeline.Step, slots map[string][]*StepResult) []*StepResult {
	var results []*StepResult
	for _, s := range steps {
		results = append(results, slots[s.Name]...)
	}
	return results
}

// graphOrder orders steps so each comes after the steps it waits for,
// each time taking the first ready one in file order. The loader has ruled
// out cycles.
func graphOrder(steps []*pipeline.Step, waits map[string][]string) []*pipeline.Step {
	ended := map[string]bool{}
	var order []*pipeline.Step
	for len(order) < len(steps) {
		progressed := false
		for _, s := range steps {
			if !ended[s.Name] && allEnded(waits[s.Name], ended) {
				order = append(order, s)
				ended[s.Name] = true
				progressed = true
				break
			}
		}
		if !progressed {
			break // a cycle: cannot happen after Load
		}
	}
	return order
}

func allEnded(names []string, ended map[string]bool) bool {
	for _, n := range names {
		if !ended[n] {
			return false
		}
	}
	return true
}
