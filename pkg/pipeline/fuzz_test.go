package pipeline

import (
	"strings"
	"testing"
)

// FuzzLoad feeds the loader arbitrary files: it must return a pipeline or
// an error, never panic.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"version: '1.0'\nsteps:\n  a:\n    type: build\n    image_name: x\n",
		"steps:\n  p:\n    type: parallel\n    steps:\n      a: {type: build, image_name: x, scale: {b: {tag: y}}}\n",
		"indicators:\n  - d: &d {type: build}\nsteps:\n  a:\n    <<: *d\n    image_name: x\n    when: {condition: {all: {c: \"'a' == 'a'\"}}}\n",
		"steps:\n  a:\n    type: push\n    candidate: ${{b}}\n    credentials: {username: u, password: p}\n",
		"steps: [1, 2]\n", "- a\n", "steps:\n  a:\n    <<: [*x]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Load(strings.NewReader(src), "f.yml")
		if err == nil && p == nil {
			t.Fatal("Load returned neither a pipeline nor an error")
		}
	})
}
