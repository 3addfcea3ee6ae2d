package runner

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/files"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

// EntityAnnotations is one entry of a build step's annotations: as the
// metadata file records it, variables resolved and expressions evaluated:
// Codefresh's annotations of one of its entities (the pipeline run when
// no entity is named), which hoist has no Codefresh to send to.
type EntityAnnotations struct {
	// Operation is set or unset.
	Operation  string `json:"operation"`
	EntityType string `json:"entity_type"`
	EntityID   string `json:"entity_id,omitempty"`
	// Annotations are the values set; Names the names unset.
	Annotations map[string]string `json:"annotations,omitempty"`
	Names       []string          `json:"names,omitempty"`
	Display     string            `json:"display,omitempty"`
	// Image is set when hoist put the annotations on the image it built
	// (entity_type image, no entity_id), as OCI manifest annotations.
	Image bool `json:"image,omitempty"`
}

// fileAnnotationMax caps a file: annotation value hoist reads.
var fileAnnotationMax = files.Kind{Name: "annotation file", Max: 64 << 10}

// entityAnnotations resolves the step's annotations: entries. Those for
// the image the step builds (entity_type image, no entity_id) set or
// unset OCI manifest annotations in req; every entry is returned for the
// metadata file. A value "file:PATH" is the file's text, PATH relative to
// the build context, and stays as written when there is no such file, as
// in Codefresh.
func (pl *planner) entityAnnotations(path string, b *pipeline.BuildStep, req *build.Request) ([]EntityAnnotations, error) {
	var out []EntityAnnotations
	for _, e := range b.EntityAnnotations {
		at := func(line int, field string, err error) error {
			return &errs.InputError{File: pl.p.File, Line: line, Field: path + ".annotations" + field, Err: err}
		}
		rec := EntityAnnotations{Operation: "set", EntityType: e.EntityType, Display: e.Display, Image: e.ForImage()}
		if e.Unset {
			rec.Operation = "unset"
		}
		var err error
		if rec.EntityID, err = pl.vars.Expand(e.EntityID); err != nil {
			return nil, at(e.Line, ".entity_id", err)
		}
		for _, a := range e.Values {
			if e.Unset {
				rec.Names = append(rec.Names, a.Name)
				if rec.Image {
					delete(req.Annotations, a.Name)
				}
				continue
			}
			v, err := pl.annotationValue(a, req.ContextDir)
			if err != nil {
				return nil, at(a.Line, "."+a.Name, err)
			}
			if rec.Annotations == nil {
				rec.Annotations = map[string]string{}
			}
			rec.Annotations[a.Name] = v
			if rec.Image {
				req.Annotations[a.Name] = v
			}
		}
		out = append(out, rec)
	}
	return out, nil
}

// annotationValue is one annotation's value: its evaluate: expression's
// result, a file's text, or the value with its variables resolved.
func (pl *planner) annotationValue(a pipeline.AnnotationValue, dir string) (string, error) {
	if a.Evaluate != nil {
		ok, err := a.Evaluate.Eval(pl.vars)
		if err != nil {
			return "", err
		}
		return strconv.FormatBool(ok), nil
	}
	v, err := pl.vars.Expand(a.Value)
	if err != nil {
		return "", err
	}
	p, ok := strings.CutPrefix(v, "file:")
	if !ok {
		return v, nil
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	data, err := files.Read(p, fileAnnotationMax)
	if errors.Is(err, fs.ErrNotExist) {
		return v, nil
	}
	if err != nil {
		return "", err
	}
	return string(data), nil
}
