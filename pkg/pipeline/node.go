package pipeline

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// pair is one key and value of a YAML mapping, aliases and merge keys resolved.
type pair struct {
	key   *yaml.Node
	value *yaml.Node
}

// MaxNodes bounds the nodes a pipeline file holds once its aliases and
// merge keys are expanded: the loader walks every alias as often as it is
// used, so a small file whose anchors refer to anchors ("billion laughs")
// would otherwise cost minutes. A 1 MiB file holds at most about 500,000
// nodes of its own.
const MaxNodes = 1_000_000

// tooLarge returns the first alias (in file order) at which doc, expanded,
// holds more than max nodes; nil when it holds fewer. It counts each node
// once however often it is used, so its cost is the file's, not the
// expansion's. An alias inside the node it refers to expands without end:
// loops says whether doc has one.
func tooLarge(doc *yaml.Node, max int) (at *yaml.Node, loops bool) {
	sizes := map[*yaml.Node]int{}
	var size func(n *yaml.Node) int
	size = func(n *yaml.Node) int {
		if s, ok := sizes[n]; ok {
			if s < 0 {
				// An alias inside the node it refers to: a loop, whose
				// expansion has no end.
				loops = true
				return max + 1
			}
			return s
		}
		sizes[n] = -1
		total := 1
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			total += size(n.Alias)
		}
		for _, c := range n.Content {
			if total += size(c); total > max {
				total = max + 1
				break
			}
		}
		sizes[n] = total
		return total
	}
	if size(doc) <= max {
		return nil, false
	}
	count := 0
	var find func(n *yaml.Node) *yaml.Node
	find = func(n *yaml.Node) *yaml.Node {
		if n.Kind == yaml.AliasNode {
			if count += size(n); count > max {
				return n
			}
			return nil
		}
		if count++; count > max {
			return n
		}
		for _, c := range n.Content {
			if at := find(c); at != nil {
				return at
			}
		}
		return nil
	}
	if at := find(doc); at != nil {
		return at, loops
	}
	return doc, loops
}

// resolve follows alias nodes to the node they point at.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// pairs lists the entries of a mapping in file order. Merge keys (<<) bring in
// the entries of the merged mappings that the mapping does not set itself.
func pairs(n *yaml.Node) ([]pair, error) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("expected a mapping, got %s", kindName(n))
	}
	var own, merged []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" || k.Value == "<<" && k.Kind == yaml.ScalarNode && k.Style == 0 {
			more, err := mergeSources(v)
			if err != nil {
				return nil, err
			}
			merged = append(merged, more...)
			continue
		}
		seen[k.Value] = true
		own = append(own, pair{k, resolve(v)})
	}
	for _, p := range merged {
		if !seen[p.key.Value] {
			seen[p.key.Value] = true
			own = append(own, p)
		}
	}
	return own, nil
}

func mergeSources(v *yaml.Node) ([]pair, error) {
	v = resolve(v)
	if v.Kind == yaml.SequenceNode {
		var all []pair
		for _, item := range v.Content {
			ps, err := pairs(item)
			if err != nil {
				return nil, err
			}
			all = append(all, ps...)
		}
		return all, nil
	}
	return pairs(v)
}

func kindName(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unexpected value"
}
