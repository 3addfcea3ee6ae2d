package pipeline

import (
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hoist-build/hoist/pkg/errs"
)

// EntityAnnotations is one entry of a build step's annotations: block, as
// Codefresh writes it: the annotations to set on (or unset from) one
// Codefresh entity, the current build when no entity is named.
type EntityAnnotations struct {
	// Unset marks an entry of unset: (names only) rather than set:.
	Unset bool
	// EntityType is build (the default), image, pipeline or project.
	EntityType string
	// EntityID names the entity; empty means the current build, or, for
	// an image, the image the step builds.
	EntityID string
	// Values are the annotations in file order; an unset entry's have
	// names only.
	Values []AnnotationValue
	// Display names the annotation Codefresh shows for the build.
	Display string
	Line    int
}

// AnnotationValue is one annotation: a name, and a value, an expression to
// evaluate, or neither (an empty annotation).
type AnnotationValue struct {
	Name, Value string
	// Evaluate is the value's evaluate: expression, parsed; nil when the
	// value is written out.
	Evaluate *Expr
	Line     int
}

// ForImage reports whether the entry annotates the image the step builds:
// entity_type image with no entity_id, which hoist maps to OCI manifest
// annotations.
func (e EntityAnnotations) ForImage() bool {
	return e.EntityType == "image" && e.EntityID == ""
}

// entityTypes are the entities Codefresh annotates.
var entityTypes = map[string]bool{"build": true, "image": true, "pipeline": true, "project": true}

// annotationName is Codefresh's rule for an annotation's name: a letter,
// then letters, digits and underscores.
var annotationName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// annotations reads a build step's annotations: {set: [...], unset: [...]}.
func (l *loader) annotations(v *yaml.Node, field string) ([]EntityAnnotations, error) {
	ps, err := pairs(v)
	if err != nil {
		return nil, l.errf(v, field, "must be a mapping with set: or unset:, got %s", kindName(resolve(v)))
	}
	var out []EntityAnnotations
	for _, kv := range ps {
		op := kv.key.Value
		if op != "set" && op != "unset" {
			return nil, l.errf(kv.key, field+"."+op, "unknown field (annotations takes set: and unset:)")
		}
		list := resolve(kv.value)
		if list.Kind != yaml.SequenceNode {
			return nil, l.errf(list, field+"."+op, "must be a list of entities to annotate, got %s", kindName(list))
		}
		for _, item := range list.Content {
			e, err := l.entityAnnotations(resolve(item), field+"."+op, op == "unset")
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// entityAnnotations reads one entry of set: or unset:.
func (l *loader) entityAnnotations(n *yaml.Node, field string, unset bool) (EntityAnnotations, error) {
	e := EntityAnnotations{Unset: unset, EntityType: "build", Line: n.Line}
	ps, err := pairs(n)
	if err != nil {
		return e, l.errf(n, field, "entries must be mappings with annotations:, got %s", kindName(n))
	}
	var list *yaml.Node
	for _, kv := range ps {
		k, v := kv.key.Value, resolve(kv.value)
		switch k {
		case "entity_type":
			if e.EntityType, err = l.scalar(v, field+".entity_type"); err != nil {
				return e, err
			}
			if !entityTypes[e.EntityType] {
				return e, l.errf(v, field+".entity_type", "must be build, image, pipeline or project, got %q", e.EntityType)
			}
		case "entity_id":
			if e.EntityID, err = l.scalar(v, field+".entity_id"); err != nil {
				return e, err
			}
		case "display":
			if e.Display, err = l.scalar(v, field+".display"); err != nil {
				return e, err
			}
		case "annotations":
			list = v
		default:
			return e, l.errf(kv.key, field+"."+k, "unknown field (entries take entity_type, entity_id, annotations and display)")
		}
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		at := n
		if list != nil {
			at = list
		}
		return e, l.errf(at, field+".annotations", "must be a list of annotations")
	}
	for _, item := range list.Content {
		a, err := l.annotationValue(resolve(item), field+".annotations", unset)
		if err != nil {
			return e, err
		}
		e.Values = append(e.Values, a)
	}
	return e, nil
}

// annotationValue reads one annotation: NAME, or NAME: VALUE, or
// NAME: {evaluate: EXPR}; an unset entry takes names only.
func (l *loader) annotationValue(n *yaml.Node, field string, unset bool) (AnnotationValue, error) {
	a := AnnotationValue{Line: n.Line}
	if n.Kind == yaml.ScalarNode {
		a.Name = n.Value
		return a, l.checkName(n, field, a.Name)
	}
	if unset {
		return a, l.errf(n, field, "unset takes annotation names, got %s", kindName(n))
	}
	ps, err := pairs(n)
	if err != nil || len(ps) != 1 {
		return a, l.errf(n, field, "entries must be NAME or NAME: VALUE, got %s", kindName(n))
	}
	k, v := ps[0].key, resolve(ps[0].value)
	a.Name = k.Value
	if err := l.checkName(k, field, a.Name); err != nil {
		return a, err
	}
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag != "!!null" {
			a.Value = v.Value
		}
		return a, nil
	case yaml.MappingNode:
		inner, err := pairs(v)
		if err != nil || len(inner) != 1 || inner[0].key.Value != "evaluate" || resolve(inner[0].value).Kind != yaml.ScalarNode {
			return a, l.errf(v, field+"."+a.Name, "must be a value or evaluate: EXPRESSION")
		}
		expr := resolve(inner[0].value)
		if a.Evaluate, err = ParseExpr(expr.Value); err != nil {
			return a, l.errf(expr, field+"."+a.Name+".evaluate", "%v", err)
		}
		return a, nil
	}
	return a, l.errf(v, field+"."+a.Name, "must be a value or evaluate: EXPRESSION, got %s", kindName(v))
}

// checkName applies Codefresh's rule for annotation names.
func (l *loader) checkName(n *yaml.Node, field, name string) error {
	if !annotationName.MatchString(name) {
		return l.errf(n, field, "annotation name %q must start with a letter and hold only letters, digits and _", name)
	}
	return nil
}

// annotationsNotice is the one line that says what hoist does with a
// build step's annotations: what annotates the image becomes its OCI
// annotations; the rest annotates Codefresh's entities (the run, by
// default), which hoist records in the metadata file.
func (l *loader) annotationsNotice(key *yaml.Node, field string, entries []EntityAnnotations) {
	var image, other bool
	for _, e := range entries {
		if e.ForImage() {
			image = true
		} else {
			other = true
		}
	}
	var parts []string
	if other {
		parts = append(parts, "Codefresh's build annotations annotate the pipeline run, not the image: hoist records them in the metadata file (--metadata-file)")
	}
	if image {
		parts = append(parts, "entity_type: image annotations are set on the image as OCI manifest annotations")
	}
	if len(parts) == 0 {
		return
	}
	e := &errs.InputError{File: l.file, Field: field, Msg: strings.Join(parts, "; "), Line: key.Line, Col: key.Column}
	l.notices = append(l.notices, e.Error())
}
