package pipeline

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hoist-build/hoist/pkg/files"
)

// VarFileKind bounds a variables file (--var-file).
var VarFileKind = files.Kind{Name: "variables file", Max: 1 << 20}

// LoadVarFile reads a variables file as codefresh run's --var-file takes
// it, YAML or JSON: a mapping of set names to variables, or a list of
// variable mappings, each set being one build's variables. A variable's
// value is text, or {value: TEXT, encrypted: BOOL} (val: also). A flat
// mapping of names to values is one set too. hoist runs one pipeline, so
// a file with several sets is refused, naming them. encrypted names the
// variables marked encrypted: true, whose values hoist masks in what it
// shows, as Codefresh masks them in its logs.
func LoadVarFile(path string) (vars map[string]string, encrypted []string, err error) {
	data, err := files.Read(path, VarFileKind)
	if err != nil {
		return nil, nil, readError(path, "variables", err)
	}
	l := &loader{file: path}
	top, err := l.parse(data, "the variables file is empty")
	if err != nil {
		return nil, nil, err
	}
	sets, err := l.varSets(top)
	if err != nil {
		return nil, nil, err
	}
	switch len(sets) {
	case 0:
		return nil, nil, l.errf(top, "", "the variables file holds no set of variables")
	case 1:
		return l.varSet(sets[0])
	}
	names := make([]string, len(sets))
	for i, s := range sets {
		names[i] = s.name
	}
	return nil, nil, l.errf(sets[1].value, "", "%d sets of variables (%s): codefresh run starts one build for each, hoist runs the pipeline once; give a file with one set, or run hoist once for each", len(sets), strings.Join(names, ", "))
}

// varSetNode is one set of variables and its name: the key it is under,
// or its place in a list.
type varSetNode struct {
	name  string
	value *yaml.Node
}

// varSets splits the file's top node into its sets of variables.
func (l *loader) varSets(top *yaml.Node) ([]varSetNode, error) {
	top = resolve(top)
	switch top.Kind {
	case yaml.SequenceNode:
		var sets []varSetNode
		for i, item := range top.Content {
			sets = append(sets, varSetNode{fmt.Sprintf("[%d]", i), item})
		}
		return sets, nil
	case yaml.MappingNode:
		ps, err := pairs(top)
		if err != nil {
			return nil, l.errf(top, "", "%v", err)
		}
		flat := true
		for _, p := range ps {
			flat = flat && isVarValue(p.value)
		}
		if flat {
			return []varSetNode{{"", top}}, nil
		}
		sets := make([]varSetNode, len(ps))
		for i, p := range ps {
			sets[i] = varSetNode{p.key.Value, p.value}
		}
		return sets, nil
	}
	return nil, l.errf(top, "", "want a mapping of variables (NAME: value), or sets of them, got %s", kindName(top))
}

// varSet reads one set of variables, and the names of those marked
// encrypted.
func (l *loader) varSet(s varSetNode) (map[string]string, []string, error) {
	field := func(k string) string {
		if s.name == "" {
			return k
		}
		return s.name + "." + k
	}
	ps, err := pairs(s.value)
	if err != nil {
		return nil, nil, l.errf(s.value, s.name, "want a mapping of variables (NAME: value), got %s", kindName(resolve(s.value)))
	}
	vars := make(map[string]string, len(ps))
	var encrypted []string
	for _, p := range ps {
		name := p.key.Value
		if name == "" || strings.ContainsAny(name, "= \t") {
			return nil, nil, l.errf(p.key, field(name), "not a variable name")
		}
		v, ok := fileVarValue(p.value)
		if !ok {
			return nil, nil, l.errf(p.value, field(name), "want text, or a mapping with value: and encrypted:")
		}
		vars[name] = v
		if isEncrypted(p.value) {
			encrypted = append(encrypted, name)
		}
	}
	return vars, encrypted, nil
}

// isEncrypted reports whether a variable's value is {value, encrypted:
// true}.
func isEncrypted(n *yaml.Node) bool {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return false
	}
	ps, _ := pairs(n)
	for _, p := range ps {
		if p.key.Value == "encrypted" {
			on, err := strconv.ParseBool(resolve(p.value).Value)
			return err == nil && on
		}
	}
	return false
}

// isVarValue reports whether n is a variable's value: a scalar, or a
// mapping of value (or val) and encrypted.
func isVarValue(n *yaml.Node) bool {
	_, ok := fileVarValue(n)
	return ok
}

// fileVarValue returns a variable's value: a scalar's text (null is empty),
// or the value: of {value, encrypted}.
func fileVarValue(n *yaml.Node) (string, bool) {
	n = resolve(n)
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "", true
		}
		return n.Value, true
	case yaml.MappingNode:
		ps, err := pairs(n)
		if err != nil || len(ps) == 0 {
			return "", false
		}
		var value *yaml.Node
		for _, p := range ps {
			switch p.key.Value {
			case "value", "val":
				if value != nil {
					return "", false
				}
				value = p.value
			case "encrypted":
			default:
				return "", false
			}
		}
		if value == nil || resolve(value).Kind != yaml.ScalarNode {
			return "", false
		}
		return fileVarValue(value)
	}
	return "", false
}
