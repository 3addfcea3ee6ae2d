package layers

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/hoist-build/hoist/"

// allowed lists, for each package under pkg/, the hoist packages it may
// import. A package missing here is a test failure: say where it belongs.
var allowed = map[string][]string{
	"commands":   {"runner", "build", "distribute", "images", "policy", "registries", "pipeline", "progress", "gitinfo", "trace", "version", "ci", "errs", "files"},
	"runner":     {"build", "distribute", "registries", "policy", "pipeline", "progress", "gitinfo", "trace", "errs", "files"},
	"build":      {"registries", "progress", "errs", "files"},
	"distribute": {"registries", "progress", "trace", "errs"},
	"images":     {"registries", "trace", "errs"},
	"policy":     {"registries", "errs"},
	"registries": {"errs", "files"},
	"pipeline":   {"gitinfo", "ci", "errs", "files"},
	"progress":   {},
	"version":    {},
	"gitinfo":    {},
	"trace":      {},
	"ci":         {},
	"errs":       {},
	"files":      {},
}

func TestImportsPointOneWay(t *testing.T) {
	root, err := filepath.Abs("../../pkg")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		pkg, err := build.ImportDir(filepath.Join(root, e.Name()), 0)
		if err != nil {
			t.Errorf("pkg/%s: %v", e.Name(), err)
			continue
		}
		may, known := allowed[e.Name()]
		if !known {
			t.Errorf("pkg/%s is not in the layer map: add it with the packages it may import", e.Name())
			continue
		}
		for _, imp := range pkg.Imports {
			dep, ours := strings.CutPrefix(imp, module+"pkg/")
			if ours && !slices.Contains(may, dep) {
				t.Errorf("pkg/%s imports pkg/%s, which its layer does not allow (allowed: %s)", e.Name(), dep, strings.Join(may, ", "))
			}
		}
	}
}
