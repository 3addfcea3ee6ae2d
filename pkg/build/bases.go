package build

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// BaseImages lists the images a Dockerfile pulls: FROM images and COPY
// --from images that are not stages, with ARG defaults and buildArgs
// (KEY=VALUE) expanded, in order and without repeats.
func BaseImages(dockerfile []byte, buildArgs []string) ([]string, error) {
	ast, stages, metaArgs, err := parseDockerfile(dockerfile)
	if err != nil {
		return nil, fmt.Errorf("parsing the Dockerfile: %w", err)
	}
	given := map[string]string{}
	for _, kv := range buildArgs {
		k, v, _ := strings.Cut(kv, "=")
		given[k] = v
	}
	lex := shell.NewLex(ast.EscapeToken)
	var env []string
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			v, ok := given[kv.Key]
			if !ok && kv.Value != nil {
				if expanded, _, err := lex.ProcessWord(*kv.Value, shell.EnvsFromSlice(env)); err == nil {
					v, ok = expanded, true
				}
			}
			if ok {
				env = append(env, kv.Key+"="+v)
			}
		}
	}
	stageNames := map[string]bool{}
	var out []string
	seen := map[string]bool{}
	add := func(ref string) {
		ref, _, err := lex.ProcessWord(ref, shell.EnvsFromSlice(env))
		if err != nil || ref == "" || strings.EqualFold(ref, "scratch") || stageNames[strings.ToLower(ref)] || seen[ref] {
			return
		}
		if _, err := strconv.Atoi(ref); err == nil {
			return // COPY --from=<stage index>
		}
		seen[ref] = true
		out = append(out, ref)
	}
	for _, s := range stages {
		add(s.BaseName)
		for _, c := range s.Commands {
			if cp, ok := c.(*instructions.CopyCommand); ok && cp.From != "" {
				add(cp.From)
			}
		}
		if s.Name != "" {
			stageNames[strings.ToLower(s.Name)] = true
		}
	}
	return out, nil
}
