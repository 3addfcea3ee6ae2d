package pipeline

import (
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// The checks in this file hold build and push step fields to the types
// Codefresh's validator (codefresh-io/cf-yaml-validator, schema/1.0/steps)
// gives them, so that a file Codefresh refuses does not plan in hoist.

// nonText names what YAML made of a plain scalar that is not text: a
// number, a boolean or a date. Codefresh's validator refuses those where
// its schema wants a string (tag: 1.0, tags: [1, 2], registry: 1); quoted
// ("1.0"), they are text.
func nonText(v *yaml.Node) string {
	if v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	switch v.ShortTag() {
	case "!!int", "!!float":
		return "the number " + v.Value
	case "!!bool":
		return "the boolean " + v.Value
	case "!!timestamp":
		return "the date " + v.Value
	}
	return ""
}

// notText is the error for a scalar nonText names.
func (l *loader) notText(v *yaml.Node, field, what string) error {
	return l.errf(v, field, "must be a string, got %s (quote it: %q)", what, v.Value)
}

// cfVariable is a value that is one ${{VAR}} and nothing else, which
// Codefresh's validator accepts in place of a boolean.
var cfVariable = regexp.MustCompile(`^\$\{\{.+?\}\}$`)

// buildxOn reads buildx as Codefresh's validator does: a boolean (or the
// text true or false), a ${{VAR}}, or a mapping of builder settings, which
// turns it on. ok is false for any other value.
func buildxOn(v *yaml.Node) (on, ok bool) {
	switch {
	case v.Kind == yaml.MappingNode:
		return true, true
	case v.Kind != yaml.ScalarNode:
		return false, false
	case v.ShortTag() == "!!null":
		return false, true
	case strings.EqualFold(v.Value, "true") && (v.ShortTag() == "!!bool" || v.ShortTag() == "!!str"):
		return true, true
	case strings.EqualFold(v.Value, "false") && (v.ShortTag() == "!!bool" || v.ShortTag() == "!!str"):
		return false, true
	case v.ShortTag() == "!!str" && cfVariable.MatchString(v.Value):
		// Its value is known when the pipeline runs: it may turn buildx on.
		return true, true
	}
	return false, false
}

// checkPlatform refuses platform unless buildx is on: Codefresh's validator
// forbids platform when buildx is absent, empty or false.
func (l *loader) checkPlatform(platform, buildxKey, buildx *yaml.Node, path string) error {
	if platform == nil {
		return nil
	}
	if buildx == nil {
		return l.errf(platform, path+".platform", "needs buildx: true beside it (Codefresh refuses platform without buildx)")
	}
	if on, ok := buildxOn(buildx); ok && !on {
		return l.errf(platform, path+".platform", "needs buildx: true, but buildx is %s on line %d (Codefresh refuses platform without buildx)", kindName(buildx), buildxKey.Line)
	}
	return nil
}

// cosign checks cosign's shape as Codefresh's validator has it: a mapping
// with sign (a boolean or a ${{VAR}}, required) and options, a flat
// mapping of strings. hoist does not sign: a step that asks to gets a
// warning.
func (l *loader) cosign(key, v *yaml.Node, field string) error {
	ps, err := pairs(v)
	if err != nil {
		return l.errf(v, field, "must be a mapping with sign: and options:, got %s", kindName(v))
	}
	var sign *yaml.Node
	var problems []error
	for _, kv := range ps {
		f := field + "." + kv.key.Value
		switch kv.key.Value {
		case "sign":
			sign = kv.value
			if _, ok := buildxOn(kv.value); !ok || kv.value.Kind != yaml.ScalarNode || kv.value.ShortTag() == "!!null" {
				problems = append(problems, l.errf(kv.value, f, "must be true or false, got %s", kindName(kv.value)))
			}
		case "options":
			problems = append(problems, Problems(l.cosignOptions(kv.value, f))...)
		default:
			problems = append(problems, l.errf(kv.key, f, "unknown field (cosign takes sign and options)"))
		}
	}
	if sign == nil {
		problems = append(problems, l.errf(v, field+".sign", "required: true or false"))
	}
	if len(problems) > 0 {
		return newProblems(problems)
	}
	if on, _ := buildxOn(sign); on {
		l.warn(key, field, notActedOn["cosign"])
	}
	return nil
}

// cosignOptions checks cosign.options: a mapping of option names to
// strings, nothing nested.
func (l *loader) cosignOptions(v *yaml.Node, field string) error {
	ps, err := pairs(v)
	if err != nil {
		return l.errf(v, field, "must be a mapping of cosign options to strings, got %s", kindName(v))
	}
	var problems []error
	for _, kv := range ps {
		if _, err := l.scalar(kv.value, field+"."+kv.key.Value); err != nil {
			problems = append(problems, err)
		}
	}
	if len(problems) > 0 {
		return newProblems(problems)
	}
	return nil
}
