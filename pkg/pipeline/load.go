package pipeline

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/hoist-build/hoist/pkg/errs"
)

// LoadFile reads and validates the pipeline file at path.
func LoadFile(path string) (*Pipeline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, errs.Input("%s: pipeline file not found", path)
		}
		return nil, fmt.Errorf("reading pipeline: %w", err)
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
	return p, nil
}

// Load parses a pipeline from r; file names it in error messages.
func Load(r io.Reader, file string) (*Pipeline, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errs.YAML(file, err)
	}
	l := &loader{file: file}
	p := &Pipeline{File: file, Dir: "."}
	if len(doc.Content) == 0 {
		return nil, l.errf(&doc, "", "the file is empty")
	}
	top := doc.Content[0]
	ps, err := pairs(top)
	if err != nil {
		return nil, l.errf(top, "", "the top level must be a mapping of version, stages and steps")
	}
	var steps *yaml.Node
	for _, kv := range ps {
		switch kv.key.Value {
		case "version":
			p.Version = kv.value.Value
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
	return p, nil
}

type loader struct {
	file string
}

func (l *loader) errf(n *yaml.Node, field, format string, args ...any) error {
	e := &errs.InputError{File: l.file, Field: field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	return e
}

func (l *loader) steps(n *yaml.Node, path string) ([]*Step, error) {
	ps, err := pairs(n)
	if err != nil {
		return nil, l.errf(n, path, "must be a mapping of step names to steps")
	}
	var out []*Step
	seen := map[string]int{}
	for _, kv := range ps {
		name := kv.key.Value
		if line, dup := seen[name]; dup {
			return nil, l.errf(kv.key, path+"."+name, "step defined twice (first on line %d)", line)
		}
		seen[name] = kv.key.Line
		s, err := l.step(name, kv.key, kv.value, path+"."+name)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (l *loader) step(name string, key, n *yaml.Node, path string) (*Step, error) {
	s := &Step{Name: name, Line: key.Line, Type: "freestyle"}
	ps, err := pairs(n)
	if err != nil {
		return nil, l.errf(key, path, "a step must be a mapping, got %s", kindName(n))
	}
	for _, kv := range ps {
		switch kv.key.Value {
		case "type":
			s.Type = kv.value.Value
		case "title":
			s.Title = kv.value.Value
		case "stage":
			s.Stage = kv.value.Value
		}
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
