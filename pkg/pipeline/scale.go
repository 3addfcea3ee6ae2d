package pipeline

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hoist-build/hoist/pkg/errs"
)

// Entry is the name a step has in the file: for a scale: entry whose name
// another step shares, Name without its step's prefix; Name otherwise.
func (s *Step) Entry() string {
	if s.ScaleOf == "" {
		return s.Name
	}
	return strings.TrimPrefix(s.Name, s.ScaleOf+"/")
}

// checkUnique finds step names used twice at different depths (the loader
// finds those within one mapping): Codefresh's names are pipeline-wide,
// but a scale: entry's name is scoped by its step. An entry whose name
// another step (or another step's entry) also has is renamed
// step/entry, so plans, progress and metadata name each step once;
// checkScaleRefs then refuses references to the shared name.
func (p *Pipeline) checkUnique() []error {
	byName := map[string][]*Step{}
	var order []string
	for _, s := range p.Steps {
		s.Walk(func(d *Step) {
			if _, ok := byName[d.Name]; !ok {
				order = append(order, d.Name)
			}
			byName[d.Name] = append(byName[d.Name], d)
		})
	}
	var problems []error
	p.shared = map[string][]*Step{}
	for _, n := range order {
		steps := byName[n]
		if len(steps) < 2 {
			continue
		}
		first := 0
		for _, d := range steps {
			if d.ScaleOf != "" {
				continue
			}
			if first != 0 {
				problems = append(problems, &errs.InputError{File: p.File, Line: d.Line, Field: "steps." + d.Name,
					Msg: fmt.Sprintf("step name used twice (first on line %d); step names are unique across the pipeline", first)})
				continue
			}
			first = d.Line
		}
		p.shared[n] = steps
		for _, d := range steps {
			if d.ScaleOf != "" {
				d.Name = d.ScaleOf + "/" + n
			}
		}
	}
	return problems
}

// stepsMember matches steps.NAME. in a condition written without ${{}}.
var stepsMember = regexp.MustCompile(`\bsteps\.([A-Za-z0-9_\-]+)\.`)

// checkScaleRefs refuses a reference, in a field hoist uses, to a name
// that several steps' scale: entries share: ${{name}}, ${{steps.name.x}}
// and when.steps. Each error names every place the name is defined.
func (p *Pipeline) checkScaleRefs() []error {
	if len(p.shared) == 0 {
		return nil
	}
	var problems []error
	seen := map[string]bool{}
	for _, s := range p.Steps {
		s.Walk(func(d *Step) {
			for _, r := range d.references() {
				path := d.path()
				if d.ScaleOf != "" && r.line < d.Line {
					// A field every entry takes from its step: one error,
					// on the step.
					path = "steps." + d.ScaleOf
				}
				for _, n := range r.names {
					key := fmt.Sprint(r.line, " ", r.field, " ", n)
					if steps, ok := p.shared[n]; ok && !seen[key] {
						seen[key] = true
						problems = append(problems, &errs.InputError{File: p.File, Line: r.line, Field: path + "." + r.field,
							Msg: fmt.Sprintf("%s is ambiguous: %s", r.show(n), p.places(steps))})
					}
				}
			}
		})
	}
	return problems
}

// places lists where each of steps is defined, file:line each.
func (p *Pipeline) places(steps []*Step) string {
	parts := make([]string, len(steps))
	for i, d := range steps {
		where := "a step"
		if d.ScaleOf != "" {
			where = "in " + d.ScaleOf + ".scale"
		}
		parts[i] = fmt.Sprintf("%s:%d (%s)", p.File, d.Line, where)
	}
	return "steps at " + strings.Join(parts, " and ") + " have that name; scale entries are named within their step, so refer to one whose name is unique"
}

// path is the step's field path in error messages.
func (s *Step) path() string {
	if s.ScaleOf != "" {
		return "steps." + s.ScaleOf + ".scale." + s.Entry()
	}
	return "steps." + s.Name
}

// reference is a field of a step that names other steps.
type reference struct {
	field string
	line  int
	names []string
	// dep is set for when.steps, which names a step without ${{}}.
	dep bool
}

func (r reference) show(n string) string {
	if r.dep {
		return fmt.Sprintf("step %q", n)
	}
	return "${{" + n + "}}"
}

// references lists the step names the fields hoist uses refer to.
func (s *Step) references() []reference {
	var out []reference
	add := func(field string, line int, texts ...string) {
		if line == 0 {
			line = s.Line
		}
		var names []string
		for _, t := range texts {
			names = append(names, RefNames(t)...)
		}
		if len(names) > 0 {
			out = append(out, reference{field: field, line: line, names: names})
		}
	}
	if b := s.Build; b != nil {
		for _, f := range []struct {
			name  string
			texts []string
		}{
			{"working_directory", []string{b.WorkingDirectory}}, {"dockerfile", []string{b.Dockerfile}},
			{"image_name", []string{b.ImageName}}, {"tag", []string{b.Tag}}, {"tags", b.Tags},
			{"registry", []string{b.Registry}}, {"build_arguments", b.BuildArguments},
			{"target", []string{b.Target}}, {"platform", []string{b.Platform}}, {"metadata", b.Metadata},
			{"cache_from", b.CacheFrom}, {"cache_to", b.CacheTo}, {"secrets", b.Secrets}, {"ssh", b.SSH},
		} {
			add(f.name, b.Lines[f.name], f.texts...)
		}
	}
	if ps := s.Push; ps != nil {
		for _, f := range []struct {
			name  string
			texts []string
		}{
			{"candidate", []string{ps.Candidate}}, {"image_name", []string{ps.ImageName}}, {"tag", []string{ps.Tag}},
			{"tags", ps.Tags}, {"registry", []string{ps.Registry}}, {"credentials", []string{ps.Username, ps.Password}},
		} {
			add(f.name, ps.Lines[f.name], f.texts...)
		}
	}
	if s.WorkingDirectory != "" {
		add("working_directory", s.Line, s.WorkingDirectory)
	}
	for _, h := range s.Hooks {
		add("on_"+hookField(h.On)+".metadata.set", h.Line, append([]string{h.Image}, h.Set...)...)
	}
	if w := s.When; w != nil {
		for _, c := range append(append([]Condition(nil), w.All...), w.Any...) {
			names := RefNames(c.Expr)
			for _, m := range stepsMember.FindAllStringSubmatch(c.Expr, -1) {
				names = append(names, m[1])
			}
			if len(names) > 0 {
				out = append(out, reference{field: "when.condition." + c.Name, line: c.Line, names: names})
			}
		}
		for _, d := range w.Deps() {
			out = append(out, reference{field: "when.steps", line: d.Line, names: []string{d.Name}, dep: true})
		}
	}
	return out
}

// hookField is the hook's field name after on_.
func hookField(st State) string {
	switch st {
	case StateFailure:
		return "fail"
	case StateFinished:
		return "finish"
	}
	return "success"
}

// RefNames lists the names the references in s give: name for ${{name}},
// and the step's name for ${{steps.name.x}}.
func RefNames(s string) []string {
	var out []string
	for _, m := range varRef.FindAllStringSubmatch(s, -1) {
		n := m[1]
		if rest, ok := strings.CutPrefix(n, "steps."); ok {
			n, _, _ = strings.Cut(rest, ".")
		}
		out = append(out, n)
	}
	return out
}

// scaled expands a build or push step with scale: into a parallel group:
// one child per entry, named after it, with the entry's fields over the
// parent's.
func (l *loader) scaled(parent *Step, base []pair, scale *yaml.Node, path string) (*Step, error) {
	entries, err := pairs(scale)
	if err != nil {
		return nil, l.errf(scale, path+".scale", "must be a mapping of names to field overrides")
	}
	group := &Step{Name: parent.Name, Line: parent.Line, Type: TypeParallel, Title: parent.Title, Stage: parent.Stage, FailFast: parent.FailFast}
	for _, e := range entries {
		over, err := pairs(e.value)
		if err != nil {
			return nil, l.errf(e.value, path+".scale."+e.key.Value, "must be a mapping of step fields")
		}
		over = flatArguments(over)
		seen := map[string]bool{}
		merged := make([]pair, 0, len(base)+len(over))
		merged = append(merged, over...)
		for _, o := range over {
			seen[o.key.Value] = true
		}
		for _, b := range base {
			if !seen[b.key.Value] {
				merged = append(merged, b)
			}
		}
		node := &yaml.Node{Kind: yaml.MappingNode, Line: e.key.Line, Column: e.key.Column}
		for _, m := range merged {
			node.Content = append(node.Content, m.key, m.value)
		}
		child, err := l.step(e.key.Value, e.key, node, path+".scale."+e.key.Value)
		if err != nil {
			return nil, err
		}
		child.ScaleOf = parent.Name
		group.Children = append(group.Children, child)
	}
	return group, nil
}
