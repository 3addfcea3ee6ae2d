package pipeline

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// secrets reads a build step's secrets: a list of "id=x,src=path" strings
// (as Codefresh and buildctl write them) or of {id, src | env} mappings.
func (l *loader) secrets(v *yaml.Node, field string) ([]string, error) {
	if v.Kind != yaml.SequenceNode {
		return nil, l.errf(v, field, "must be a list of id=NAME,src=PATH entries, got %s", kindName(v))
	}
	var out []string
	for _, item := range v.Content {
		item = resolve(item)
		switch item.Kind {
		case yaml.ScalarNode:
			if !strings.Contains(item.Value, "id=") {
				return nil, l.errf(item, field, "an entry must name its id: id=NAME,src=PATH")
			}
			out = append(out, item.Value)
		case yaml.MappingNode:
			ps, err := pairs(item)
			if err != nil {
				return nil, l.errf(item, field, "%v", err)
			}
			var parts []string
			id := false
			for _, kv := range ps {
				switch kv.key.Value {
				case "id", "src", "source", "env", "type":
					val, err := l.scalar(kv.value, field+"."+kv.key.Value)
					if err != nil {
						return nil, err
					}
					id = id || kv.key.Value == "id"
					parts = append(parts, kv.key.Value+"="+val)
				default:
					return nil, l.errf(kv.key, field+"."+kv.key.Value, "unknown field (a secret takes id, src, env and type)")
				}
			}
			if !id {
				return nil, l.errf(item, field+".id", "required")
			}
			out = append(out, strings.Join(parts, ","))
		default:
			return nil, l.errf(item, field, "an entry must be id=NAME,src=PATH or a mapping, got %s", kindName(item))
		}
	}
	return out, nil
}

// ssh reads a build step's ssh: "default" (the agent at $SSH_AUTH_SOCK), a
// list of "default" or "id=path" entries, or a mapping of id to path.
func (l *loader) ssh(v *yaml.Node, field string) ([]string, error) {
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Value == "" {
			return nil, nil
		}
		return []string{v.Value}, nil
	case yaml.SequenceNode:
		return l.strings(v, field)
	case yaml.MappingNode:
		ps, err := pairs(v)
		if err != nil {
			return nil, l.errf(v, field, "%v", err)
		}
		var out []string
		for _, kv := range ps {
			path, err := l.scalar(kv.value, field+"."+kv.key.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, kv.key.Value+"="+path)
		}
		return out, nil
	}
	return nil, l.errf(v, field, "must be default, a list of id=PATH entries or a mapping, got %s", kindName(v))
}
