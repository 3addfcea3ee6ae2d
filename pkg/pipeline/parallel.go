package pipeline

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

// parallelSteps reads the steps: of a type: parallel step: a mapping of
// names to steps, or a list of steps. Codefresh accepts the list, and its
// validator names each entry by its index (0, 1, ...); hoist does the same,
// so an entry's name is stable while the list's order is. Those names are
// pipeline-wide, as every step name: two lists in one file would name
// their entries alike, which Codefresh's validator refuses too.
func (l *loader) parallelSteps(n *yaml.Node, path string) ([]*Step, error) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return l.steps(n, path)
	}
	if l.listBlock != 0 {
		return nil, l.errf(n, path, "a second parallel step whose steps are a list (the first is %s, line %d): list entries are named by their index (0, 1, ...), so the names clash; write one of them as a mapping of names to steps", l.listPath, l.listBlock)
	}
	l.listBlock, l.listPath = n.Line, path
	var out []*Step
	var problems []error
	for i, item := range n.Content {
		item = resolve(item)
		name := strconv.Itoa(i)
		if wrapped(item) {
			problems = append(problems, l.errf(item, path+"."+name, "a list entry is a step itself, not a name over a step: write the named steps as a mapping (%s: ...) or drop the name", item.Content[0].Value))
			continue
		}
		s, err := l.step(name, item, item, path+"."+name)
		if err != nil {
			problems = append(problems, Problems(err)...)
			continue
		}
		out = append(out, s)
	}
	if len(problems) > 0 {
		return nil, newProblems(problems)
	}
	return out, nil
}

// wrapped tells a list entry written as "- name: {step}" (one key over a
// mapping that has a type, image or commands), a mapping's shape put in a
// list: Codefresh would read "name" as an unknown field of the entry.
func wrapped(item *yaml.Node) bool {
	if item == nil || item.Kind != yaml.MappingNode || len(item.Content) != 2 || item.Content[0].Value == "arguments" {
		return false
	}
	ps, err := pairs(item.Content[1])
	if err != nil {
		return false
	}
	for _, kv := range ps {
		switch kv.key.Value {
		case "type", "image", "commands":
			return true
		}
	}
	return false
}
