package pipeline

import (
	"os"
	"path/filepath"
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
	// The corpus and the invalid files are seeds too: real shapes, and
	// every kind of mistake hoist reports.
	seeds, _ := filepath.Glob("../../testdata/corpus/*/codefresh.yml")
	invalid, _ := filepath.Glob("../../testdata/invalid/*.yml")
	for _, path := range append(seeds, invalid...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Load(strings.NewReader(src), "f.yml")
		if err == nil && p == nil {
			t.Fatal("Load returned neither a pipeline nor an error")
		}
	})
}
