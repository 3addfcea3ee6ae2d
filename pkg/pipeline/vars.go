package pipeline

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hoist-build/hoist/pkg/errs"
)

var varRef = regexp.MustCompile(`\$\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}`)

// Vars resolves ${{NAME}} references.
type Vars map[string]string

// Expand replaces every ${{NAME}} in s. A name with no value is an error that
// names it.
func (v Vars) Expand(s string) (string, error) {
	var missing []string
	out := varRef.ReplaceAllStringFunc(s, func(m string) string {
		name := varRef.FindStringSubmatch(m)[1]
		if val, ok := v[name]; ok {
			return val
		}
		missing = append(missing, name)
		return m
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("undefined variable ${{%s}}", missing[0])
	}
	return out, nil
}

// Expand resolves the variables in every field of the build step that hoist
// uses. An undefined variable is an input error naming the file, line and field.
func (b *BuildStep) Expand(file, path string, v Vars) (*BuildStep, error) {
	out := *b
	one := func(field string, s *string) error {
		return expandField(file, path, field, b.Lines[field], s, v)
	}
	list := func(field string, in []string) ([]string, error) {
		res := make([]string, len(in))
		for i := range in {
			res[i] = in[i]
			if err := one(field, &res[i]); err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	for _, f := range []struct {
		name string
		s    *string
	}{
		{"working_directory", &out.WorkingDirectory}, {"dockerfile", &out.Dockerfile},
		{"image_name", &out.ImageName}, {"tag", &out.Tag}, {"registry", &out.Registry},
		{"target", &out.Target}, {"platform", &out.Platform},
	} {
		if err := one(f.name, f.s); err != nil {
			return nil, err
		}
	}
	var err error
	if out.Tags, err = list("tags", b.Tags); err != nil {
		return nil, err
	}
	if out.BuildArguments, err = list("build_arguments", b.BuildArguments); err != nil {
		return nil, err
	}
	if out.Metadata, err = list("metadata", b.Metadata); err != nil {
		return nil, err
	}
	if out.CacheFrom, err = list("cache_from", b.CacheFrom); err != nil {
		return nil, err
	}
	if out.CacheTo, err = list("cache_to", b.CacheTo); err != nil {
		return nil, err
	}
	if out.Secrets, err = list("secrets", b.Secrets); err != nil {
		return nil, err
	}
	if out.SSH, err = list("ssh", b.SSH); err != nil {
		return nil, err
	}
	// The inline Dockerfile keeps ${{...}} that are not defined: BuildKit and
	// the shell never see that syntax, so only defined names are replaced.
	out.DockerfileContent = varRef.ReplaceAllStringFunc(b.DockerfileContent, func(m string) string {
		if val, ok := v[varRef.FindStringSubmatch(m)[1]]; ok {
			return val
		}
		return m
	})
	return &out, nil
}

// expandField resolves the variables in *s, in place.
func expandField(file, path, field string, line int, s *string, v Vars) error {
	r, err := v.Expand(*s)
	if err != nil {
		return &errs.InputError{File: file, Line: line, Field: path + "." + field, Msg: err.Error()}
	}
	*s = r
	return nil
}

// NormalizeTag turns a branch name into a valid image tag, as Codefresh's
// CF_BRANCH_TAG_NORMALIZED: characters outside [A-Za-z0-9_.-] become _, and
// the result is at most 128 characters.
func NormalizeTag(branch string) string {
	var sb strings.Builder
	for _, r := range branch {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			sb.WriteRune(r)
		default:
			sb.WriteByte('_')
		}
	}
	s := sb.String()
	if len(s) > 128 {
		s = s[:128]
	}
	return s
}
