package pipeline

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// The readers in this file turn a field's YAML value into the type its
// field holds, or an error naming the field and line.

// scalar reads a text field: null is empty; a number, boolean or date YAML
// reads is refused, as Codefresh's validator refuses it (see nonText).
func (l *loader) scalar(v *yaml.Node, field string) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", l.errf(v, field, "must be a string, got %s", kindName(v))
	}
	if v.Tag == "!!null" {
		return "", nil
	}
	if what := nonText(v); what != "" {
		return "", l.notText(v, field, what)
	}
	return v.Value, nil
}

// boolean reads true or false (any case); an empty value is false.
func (l *loader) boolean(v *yaml.Node, field string) (bool, error) {
	if v.Kind == yaml.ScalarNode {
		switch strings.ToLower(v.Value) {
		case "true":
			return true, nil
		case "false", "":
			return false, nil
		}
	}
	return false, l.errf(v, field, "must be true or false, got %s", kindName(v))
}

// strings reads a list of text entries, or one text as a list of one;
// null is none. Every entry that is not text is reported.
func (l *loader) strings(v *yaml.Node, field string) ([]string, error) {
	if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
		s, err := l.scalar(v, field)
		return []string{s}, err
	}
	if v.Kind == yaml.ScalarNode {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, l.errf(v, field, "must be a list of strings, got %s", kindName(v))
	}
	var out []string
	var problems []error
	for _, item := range v.Content {
		item = resolve(item)
		if item.Kind != yaml.ScalarNode {
			return nil, l.errf(item, field, "must be a list of strings, an entry is %s", kindName(item))
		}
		if what := nonText(item); what != "" {
			problems = append(problems, l.notText(item, field, what))
		}
		out = append(out, item.Value)
	}
	if len(problems) > 0 {
		return nil, newProblems(problems)
	}
	return out, nil
}

// keyValues reads a list of KEY=VALUE strings or a mapping, as Codefresh's
// build_arguments allows both.
func (l *loader) keyValues(v *yaml.Node, field string) ([]string, error) {
	if v.Kind == yaml.MappingNode {
		ps, err := pairs(v)
		if err != nil {
			return nil, l.errf(v, field, "%v", err)
		}
		var out []string
		for _, kv := range ps {
			if kv.value.Kind != yaml.ScalarNode {
				return nil, l.errf(kv.value, field+"."+kv.key.Value, "must be a string, got %s", kindName(kv.value))
			}
			out = append(out, kv.key.Value+"="+kv.value.Value)
		}
		return out, nil
	}
	list, err := l.strings(v, field)
	if err != nil {
		return nil, err
	}
	for i, s := range list {
		if !strings.Contains(s, "=") {
			return nil, l.errf(resolveAt(v, i), field, "entry %q must be KEY=VALUE", s)
		}
	}
	return list, nil
}

// metadata reads metadata: {set: [...]}, whose entries are single-key
// mappings (- key: value) or KEY=VALUE strings.
func (l *loader) metadata(v *yaml.Node, field string) ([]string, error) {
	ps, err := pairs(v)
	if err != nil {
		return nil, l.errf(v, field, "must be a mapping with set:")
	}
	var out []string
	for _, kv := range ps {
		if kv.key.Value != "set" {
			return nil, l.errf(kv.key, field+"."+kv.key.Value, "unknown field (metadata takes set:)")
		}
		list := kv.value
		if list.Kind != yaml.SequenceNode {
			return nil, l.errf(list, field+".set", "must be a list, got %s", kindName(list))
		}
		for _, item := range list.Content {
			item = resolve(item)
			switch item.Kind {
			case yaml.ScalarNode:
				if !strings.Contains(item.Value, "=") {
					return nil, l.errf(item, field+".set", "entry %q must be key: value or KEY=VALUE", item.Value)
				}
				out = append(out, item.Value)
			case yaml.MappingNode:
				entries, err := pairs(item)
				if err != nil {
					return nil, l.errf(item, field+".set", "%v", err)
				}
				for _, e := range entries {
					if e.value.Kind != yaml.ScalarNode {
						return nil, l.errf(e.value, field+".set."+e.key.Value, "must be a string, got %s", kindName(e.value))
					}
					out = append(out, e.key.Value+"="+e.value.Value)
				}
			default:
				return nil, l.errf(item, field+".set", "entries must be key: value, got %s", kindName(item))
			}
		}
	}
	return out, nil
}
