package build

import (
	"fmt"
	"strings"
)

// annotationTypes are the places an annotation can go, as buildx's
// --annotation names them: the image manifest (the default), the index,
// or the descriptor of either.
var annotationTypes = map[string]bool{"manifest": true, "index": true, "manifest-descriptor": true, "index-descriptor": true}

// ParseAnnotations turns buildx-style annotations ("[TYPE[PLATFORM]:]KEY=VALUE",
// TYPE one of manifest, index, manifest-descriptor, index-descriptor) into
// the OCI exporter's attributes (annotation-TYPE[PLATFORM].KEY).
func ParseAnnotations(in []string) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range in {
		left, value, ok := strings.Cut(a, "=")
		if !ok || left == "" {
			return nil, fmt.Errorf("annotation %q: want [TYPE:]KEY=VALUE", a)
		}
		typ, key := "manifest", left
		if t, k, ok := strings.Cut(left, ":"); ok {
			base, _, _ := strings.Cut(t, "[")
			if !annotationTypes[base] {
				return nil, fmt.Errorf("annotation %q: %q is not manifest, index, manifest-descriptor or index-descriptor", a, base)
			}
			typ, key = t, k
		}
		if key == "" {
			return nil, fmt.Errorf("annotation %q: no key", a)
		}
		out["annotation-"+typ+"."+key] = value
	}
	return out, nil
}
