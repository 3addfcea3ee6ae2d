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
	var nodes []stepNode
	var problems []error
	for i, item := range n.Content {
		item = resolve(item)
		name := strconv.Itoa(i)
		if wrapped(item) {
			problems = append(problems, l.errf(item, path+"."+name, "a list entry is a step itself, not a name over a step: write the named steps as a mapping (%s: ...) or drop the name", item.Content[0].Value))
			continue
		}
		nodes = append(nodes, stepNode{name, item, item})
	}
	return l.readSteps(nodes, path, problems)
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

// steps reads a mapping of step names to steps (the pipeline's steps:, a
// parallel block's). A name the mapping has twice is a problem naming both
// lines.
func (l *loader) steps(n *yaml.Node, path string) ([]*Step, error) {
	ps, err := pairs(n)
	if err != nil {
		return nil, l.errf(n, path, "must be a mapping of step names to steps")
	}
	var nodes []stepNode
	var problems []error
	seen := map[string]int{}
	for _, kv := range ps {
		name := kv.key.Value
		if line, dup := seen[name]; dup {
			problems = append(problems, l.errf(kv.key, path+"."+name, "step defined twice (first on line %d)", line))
			continue
		}
		seen[name] = kv.key.Line
		nodes = append(nodes, stepNode{name, kv.key, kv.value})
	}
	return l.readSteps(nodes, path, problems)
}

// stepNode is a step as written: its name, the node its line is taken
// from, and its fields.
type stepNode struct {
	name       string
	key, value *yaml.Node
}

// readSteps reads each of nodes as a step of path. A step's mistake does
// not stop the others from being checked: every problem, those found
// before included, is collected, and Load reports them together.
func (l *loader) readSteps(nodes []stepNode, path string, problems []error) ([]*Step, error) {
	var out []*Step
	for _, sn := range nodes {
		s, err := l.step(sn.name, sn.key, sn.value, path+"."+sn.name)
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
