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
