package pipeline

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hoist-build/hoist/pkg/files"
)

// LoadFile reads and validates the pipeline file at path.
func LoadFile(path string) (*Pipeline, error) {
	data, err := files.Read(path, files.Pipeline)
	if err != nil {
		return nil, readError(path, "pipeline", err)
	}
	p, err := Load(bytes.NewReader(data), path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", path, err)
	}
	p.Dir = abs
	if problems := p.checkDockerfiles(); len(problems) > 0 {
		return nil, newProblems(problems)
	}
	return p, nil
}

// Load parses a pipeline from r; file names it in error messages.
func Load(r io.Reader, file string) (*Pipeline, error) {
	data, err := files.ReadAll(r, file, files.Pipeline)
	if err != nil {
		return nil, readError(file, "pipeline", err)
	}
	l := &loader{file: file}
	p := &Pipeline{File: file, Dir: "."}
	top, err := l.parse(data, "the file is empty")
	if err != nil {
		return nil, err
	}
	ps, err := pairs(top)
	if err != nil {
		return nil, l.errf(top, "", "the top level must be a mapping of version, stages and steps")
	}
	var steps *yaml.Node
	for _, kv := range ps {
		switch kv.key.Value {
		case "version":
			p.Version = kv.value.Value
		case "mode":
			p.Mode = Mode(kv.value.Value)
			if p.Mode != ModeSequential && p.Mode != ModeParallel {
				return nil, l.errf(kv.value, "mode", "must be sequential or parallel, got %s", kindName(kv.value))
			}
		case "stages":
			if p.Stages, err = l.strings(kv.value, "stages"); err != nil {
				return nil, err
			}
		case "steps":
			steps = kv.value
		}
	}
	if steps == nil {
		return nil, l.errf(top, "steps", "missing: a pipeline needs steps")
	}
	if p.Steps, err = l.steps(steps, "steps"); err != nil {
		return nil, err
	}
	if problems := p.checkUnique(); len(problems) > 0 {
		return nil, newProblems(problems)
	}
	if problems := p.checkScaleRefs(); len(problems) > 0 {
		return nil, newProblems(problems)
	}
	if problems := p.checkWaits(); len(problems) > 0 {
		return nil, newProblems(problems)
	}
	p.Warnings, p.Notices = l.warnings, l.notices
	return p, nil
}

// step reads the step name, written at key, whose fields are n; path is
// its field path in errors. A build or push step's fields are checked;
// other steps keep what hoist shows of them (title, stage, when, the
// folder they work in).
func (l *loader) step(name string, key, n *yaml.Node, path string) (*Step, error) {
	s := &Step{Name: name, Line: key.Line, Type: "freestyle"}
	ps, err := pairs(n)
	if err != nil {
		return nil, l.errf(key, path, "a step must be a mapping, got %s", kindName(n))
	}
	for _, kv := range ps {
		if kv.key.Value == "type" {
			s.Type = StepType(kv.value.Value)
		}
	}
	// Only the steps hoist runs have their common fields checked: other
	// types give them other shapes (a pending-approval's timeout is a
	// mapping).
	runs := s.Type == TypeBuild || s.Type == TypePush || s.Type == TypeParallel
	if s.Type == TypeBuild || s.Type == TypePush {
		ps = flatArguments(ps)
	}
	var scale *yaml.Node
	var rest []pair
	for _, kv := range ps {
		if on, ok := hookStates[kv.key.Value]; ok {
			hs, err := l.hooks(kv.value, path+"."+kv.key.Value, on)
			if err != nil && runs {
				return nil, err
			}
			s.Hooks = append(s.Hooks, hs...)
		}
		if !runs && kv.key.Value == "when" {
			s.When = l.lenientWhen(kv.value, path+".when")
		}
		if !runs && (kv.key.Value == "working_directory" || kv.key.Value == "working-directory") && kv.value.Kind == yaml.ScalarNode {
			s.WorkingDirectory = kv.value.Value
		}
		if !runs && kv.key.Value != "title" && kv.key.Value != "stage" {
			continue
		}
		switch kv.key.Value {
		case "title":
			s.Title = kv.value.Value
		case "stage":
			s.Stage = kv.value.Value
		case "fail_fast", "fail-fast":
			ff, err := l.boolean(kv.value, path+".fail_fast")
			if err != nil {
				return nil, err
			}
			s.FailFast = &ff
		case "retry":
			if s.Retry, err = l.retry(kv.value, path+".retry"); err != nil {
				return nil, err
			}
		case "timeout":
			d, err := time.ParseDuration(kv.value.Value)
			if err != nil || d <= 0 || kv.value.Kind != yaml.ScalarNode {
				return nil, l.errf(kv.value, path+".timeout", "must be a duration such as 30s, 10m or 1h, got %s", kindName(kv.value))
			}
			s.Timeout = d
		}
		if kv.key.Value == "scale" {
			scale = kv.value
			continue
		}
		rest = append(rest, kv)
	}
	if scale != nil && (s.Type == TypeBuild || s.Type == TypePush) {
		return l.scaled(s, rest, scale, path)
	}
	if s.Type == TypeParallel {
		for _, kv := range ps {
			switch kv.key.Value {
			case "steps":
				if s.Children, err = l.parallelSteps(kv.value, path+".steps"); err != nil {
					return nil, err
				}
			case "when":
				if s.When, err = l.when(kv.value, path+".when"); err != nil {
					return nil, err
				}
			}
		}
		return s, nil
	}
	switch s.Type {
	case TypeBuild:
		s.Build, s.When, err = l.buildStep(ps, path)
	case TypePush:
		s.Push, s.When, err = l.pushStep(ps, path)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// lenientWhen reads the when: of a step hoist does not run: its branch
// rules and the steps it waits for. Its conditions are left out (they
// often test variables its own commands export), and so is a clause hoist
// cannot read, as Codefresh's other fields are.
func (l *loader) lenientWhen(v *yaml.Node, field string) *When {
	w, err := l.whenClause(v, field, false)
	if err != nil {
		return nil
	}
	return w
}

// flatArguments lifts the fields a step nests under arguments: to the
// step's own level, in place, as Codefresh reads them.
func flatArguments(ps []pair) []pair {
	out := make([]pair, 0, len(ps))
	for _, kv := range ps {
		if kv.key.Value == "arguments" {
			if inner, err := pairs(kv.value); err == nil {
				out = append(out, inner...)
				continue
			}
		}
		out = append(out, kv)
	}
	return out
}

// retry reads retry: {maxAttempts, delay (seconds), exponentialFactor}.
func (l *loader) retry(v *yaml.Node, field string) (*Retry, error) {
	ps, err := pairs(v)
	if err != nil {
		return nil, l.errf(v, field, "must be a mapping with maxAttempts, delay and exponentialFactor")
	}
	r := &Retry{MaxAttempts: 1, Delay: 5 * time.Second, ExponentialFactor: 1}
	for _, kv := range ps {
		f := field + "." + kv.key.Value
		n, perr := strconv.ParseFloat(kv.value.Value, 64)
		if kv.value.Kind != yaml.ScalarNode || perr != nil || n < 0 {
			return nil, l.errf(kv.value, f, "must be a number, got %s", kindName(kv.value))
		}
		switch kv.key.Value {
		case "maxAttempts":
			if n < 1 || n != float64(int(n)) {
				return nil, l.errf(kv.value, f, "must be a whole number of at least 1, got %s", kv.value.Value)
			}
			r.MaxAttempts = int(n)
		case "delay":
			r.Delay = time.Duration(n * float64(time.Second))
		case "exponentialFactor":
			r.ExponentialFactor = n
		default:
			return nil, l.errf(kv.key, f, "unknown field (retry takes maxAttempts, delay and exponentialFactor)")
		}
	}
	return r, nil
}
