package pipeline

import (
	"fmt"
	"strings"

	"github.com/tonistiigi/go-csvvalue"
	"gopkg.in/yaml.v3"
)

// caches reads cache_from or cache_to (export): a list of strings, each
// an image reference or buildx's CSV form, checked as buildx would take
// it: type registry (with ref=), local (with src= to import, dest= to
// export) or, to export, inline; mode min or max.
func (l *loader) caches(v *yaml.Node, field string, export bool) ([]string, error) {
	list, err := l.strings(v, field)
	if err != nil {
		return nil, err
	}
	for i, s := range list {
		if err := checkCache(s, export); err != nil {
			return nil, l.errf(resolveAt(v, i), field, "entry %q: %v", s, err)
		}
	}
	return list, nil
}

// checkCache checks one cache entry's form; variables in its values are
// expanded later.
func checkCache(s string, export bool) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("empty")
	}
	if !strings.Contains(s, "type=") {
		if strings.ContainsAny(s, ", ") {
			return fmt.Errorf("an image reference, or type=registry,ref=IMAGE")
		}
		return nil // an image reference: a registry cache
	}
	fields, err := csvvalue.Fields(s, nil)
	if err != nil {
		return err
	}
	attrs := map[string]string{}
	for _, f := range fields {
		k, val, ok := strings.Cut(f, "=")
		if !ok {
			return fmt.Errorf("%q is not key=value", f)
		}
		attrs[strings.ToLower(k)] = val
	}
	path := "src"
	if export {
		path = "dest"
	}
	switch t := attrs["type"]; {
	case t == "registry" && attrs["ref"] == "":
		return fmt.Errorf("type=registry needs ref=")
	case t == "local" && attrs[path] == "":
		return fmt.Errorf("type=local needs %s=", path)
	case t == "inline" && !export:
		return fmt.Errorf("type=inline only exports")
	case t != "registry" && t != "local" && t != "inline":
		return fmt.Errorf("type=%s: hoist takes registry, local or inline caches", t)
	}
	if m, ok := attrs["mode"]; ok && m != "min" && m != "max" {
		return fmt.Errorf("mode=%s: must be min or max", m)
	}
	return nil
}
