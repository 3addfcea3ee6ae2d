package commands

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/pkg/pipeline"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus/*/plan.golden")

// corpusVars are the Codefresh variables every corpus plan is made with,
// so the plans do not depend on this checkout's git state.
var corpusVars = []string{
	"CF_BRANCH=master",
	"CF_REVISION=4f2a9c1e0b7d3a5968e1c2b4d6f8a0b1c3d5e7f9",
	"CF_BUILD_ID=6671f0c2",
	"CF_BUILD_TIMESTAMP=2026-11-23T10:00:00Z",
	"CF_REPO_OWNER=acme",
	"CF_REPO_NAME=shop",
	"CF_COMMIT_MESSAGE=Release 2.4.0",
	"CF_COMMIT_AUTHOR=ann",
}

// TestCorpus plans every pipeline of testdata/corpus: each must plan
// cleanly, list all its build and push steps, and match its golden plan.
func TestCorpus(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "testdata", "corpus")
	files, err := filepath.Glob(filepath.Join(root, "*", "codefresh.yml"))
	if err != nil || len(files) < 10 {
		t.Fatalf("want at least 10 corpus files, found %d (%v)", len(files), err)
	}
	for _, f := range files {
		dir := filepath.Dir(f)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			args := []string{"explain", "-f", f, "--registries", filepath.Join(root, "registries.yaml")}
			for _, v := range append(corpusVars, readVars(t, filepath.Join(dir, "vars"))...) {
				args = append(args, "--var", v)
			}
			r := hoist(t, args...)
			if r.code != 0 {
				t.Fatalf("hoist explain: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			p, err := pipeline.LoadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range buildAndPushSteps(p.Steps) {
				if !strings.Contains(r.stdout, "step "+name+":") {
					t.Errorf("the plan does not list step %s:\n%s", name, r.stdout)
				}
			}
			golden := filepath.Join(dir, "plan.golden")
			if *update {
				if err := os.WriteFile(golden, []byte(r.stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./pkg/commands -run TestCorpus -update to write it)", err)
			}
			if r.stdout != string(want) {
				t.Errorf("plan differs from %s\ngot:\n%s\nwant:\n%s", golden, r.stdout, want)
			}
		})
	}
}

// readVars reads KEY=VALUE lines; a missing file holds none.
func readVars(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vars []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			vars = append(vars, line)
		}
	}
	return vars
}

func buildAndPushSteps(steps []*pipeline.Step) []string {
	var names []string
	for _, s := range steps {
		if s.Type == pipeline.TypeBuild || s.Type == pipeline.TypePush {
			names = append(names, s.Name)
		}
		names = append(names, buildAndPushSteps(s.Children)...)
	}
	return names
}
