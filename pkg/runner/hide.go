package runner

import (
	"sort"
	"strings"

	"github.com/hoist-build/hoist/pkg/pipeline"
)

// expansion is a field as written (with ${{VAR}} references) and as
// expanded.
type expansion struct {
	raw, value string
}

// buildExpansions lists the fields of a build step that registry and
// reference errors quote: image name, tags, registry, target, platform,
// cache_from. Paths (working_directory, dockerfile) are left out: a
// "not found" must say which file.
func buildExpansions(raw, exp *pipeline.BuildStep) []expansion {
	out := []expansion{{raw.ImageName, exp.ImageName}, {raw.Tag, exp.Tag}, {raw.Registry, exp.Registry}, {raw.Target, exp.Target}, {raw.Platform, exp.Platform}}
	for i := range raw.Tags {
		out = append(out, expansion{raw.Tags[i], exp.Tags[i]})
	}
	for i := range raw.CacheFrom {
		out = append(out, expansion{raw.CacheFrom[i], exp.CacheFrom[i]})
	}
	return out
}

// pushExpansions lists the fields of a push step that errors quote.
func pushExpansions(raw, exp *pipeline.PushStep) []expansion {
	out := []expansion{{raw.Candidate, exp.Candidate}, {raw.ImageName, exp.ImageName}, {raw.Tag, exp.Tag}, {raw.Registry, exp.Registry}}
	for i := range raw.Tags {
		out = append(out, expansion{raw.Tags[i], exp.Tags[i]})
	}
	return out
}

// hideValues returns err with every value a variable gave one of the
// fields shown as the field's text instead (tag "${{TOKEN}}", not its
// value): errors name variables, never their values. Values shorter
// than 4 bytes are left, as nothing to hide.
func hideValues(err error, fields []expansion) error {
	var r []string
	for _, f := range fields {
		if !strings.Contains(f.raw, "${{") || len(f.value) < 4 {
			continue
		}
		for _, v := range []string{f.value, strings.ToLower(f.value), strings.Trim(f.value, "/")} {
			if len(v) >= 4 {
				r = append(r, v, f.raw)
			}
		}
	}
	if len(r) == 0 {
		return err
	}
	// The longest value first, so a value that holds another is hidden
	// whole.
	pairs := make([][2]string, 0, len(r)/2)
	for i := 0; i < len(r); i += 2 {
		pairs = append(pairs, [2]string{r[i], r[i+1]})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return len(pairs[i][0]) > len(pairs[j][0]) })
	msg := err.Error()
	for _, p := range pairs {
		msg = strings.ReplaceAll(msg, p[0], p[1])
	}
	if msg == err.Error() {
		return err
	}
	return &hiddenError{msg: msg, err: err}
}

// hiddenError is an error whose message hides variables' values; errors.Is
// and As still see the cause.
type hiddenError struct {
	msg string
	err error
}

func (e *hiddenError) Error() string { return e.msg }
func (e *hiddenError) Unwrap() error { return e.err }
