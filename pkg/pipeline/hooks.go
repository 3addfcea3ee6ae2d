package pipeline

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// MetadataHook is one image's metadata.set in a step's on_success,
// on_fail or on_finish, as Codefresh writes it:
//
//	on_success:
//	  metadata:
//	    set:
//	      - ${{build.imageId}}:
//	          - qa: passed
type MetadataHook struct {
	// On is when the keys are set: success, failure or finished.
	On State
	// Image names the image, before expansion: ${{step.imageId}},
	// ${{step}} or a reference.
	Image string
	// Set are the KEY=VALUE entries in file order.
	Set  []string
	Line int
}

// hookStates maps the hook fields to the step states they run on.
var hookStates = map[string]State{"on_success": StateSuccess, "on_fail": StateFailure, "on_finish": StateFinished}

// hooks reads the metadata.set of one on_success, on_fail or on_finish
// block; its other operations (annotations) are left to Codefresh.
func (l *loader) hooks(v *yaml.Node, field string, on State) ([]*MetadataHook, error) {
	ps, err := pairs(v)
	if err != nil {
		return nil, l.errf(v, field, "must be a mapping")
	}
	var out []*MetadataHook
	for _, kv := range ps {
		if kv.key.Value != "metadata" {
			continue
		}
		mps, err := pairs(kv.value)
		if err != nil {
			return nil, l.errf(kv.value, field+".metadata", "must be a mapping with set:")
		}
		for _, m := range mps {
			if m.key.Value != "set" {
				return nil, l.errf(m.key, field+".metadata."+m.key.Value, "unknown field (metadata takes set:)")
			}
			list := resolve(m.value)
			if list.Kind != yaml.SequenceNode {
				return nil, l.errf(list, field+".metadata.set", "must be a list, got %s", kindName(list))
			}
			for _, item := range list.Content {
				images, err := pairs(item)
				if err != nil {
					return nil, l.errf(item, field+".metadata.set", "entries must be IMAGE: [key: value, ...], got %s", kindName(item))
				}
				for _, im := range images {
					h := &MetadataHook{On: on, Image: strings.TrimSpace(im.key.Value), Line: im.key.Line}
					sub := field + ".metadata.set." + h.Image
					entries := resolve(im.value)
					if entries.Kind != yaml.SequenceNode {
						return nil, l.errf(entries, sub, "must be a list of key: value, got %s", kindName(entries))
					}
					for _, e := range entries.Content {
						kvs, err := pairs(e)
						if err != nil {
							e = resolve(e)
							if e.Kind == yaml.ScalarNode && strings.Contains(e.Value, "=") {
								h.Set = append(h.Set, e.Value)
								continue
							}
							return nil, l.errf(e, sub, "entries must be key: value, got %s", kindName(e))
						}
						for _, p := range kvs {
							if resolve(p.value).Kind != yaml.ScalarNode {
								return nil, l.errf(p.value, sub+"."+p.key.Value, "must be a string, got %s", kindName(p.value))
							}
							h.Set = append(h.Set, p.key.Value+"="+resolve(p.value).Value)
						}
					}
					out = append(out, h)
				}
			}
		}
	}
	return out, nil
}
