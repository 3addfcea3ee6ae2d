package pipeline

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAliasBomb: anchors that merge anchors ten times over, nine levels
// deep, would expand to a billion mappings; the file is refused at once,
// with one line naming the alias where the expansion passes the bound.
func TestAliasBomb(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("version: \"1.0\"\nindicators:\n  - l0: &l0 {type: build, image_name: x}\n")
	for i := 1; i <= 9; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", ")
		fmt.Fprintf(&b, "  - l%d: &l%d {<<: [%s]}\n", i, i, refs)
	}
	b.WriteString("steps:\n  app:\n    <<: *l9\n")
	src := b.String()
	// The fastest of three tries, so a busy machine does not fail the test.
	best := time.Hour
	var err error
	for range 3 {
		start := time.Now()
		_, err = Load(strings.NewReader(src), "bomb.yml")
		best = min(best, time.Since(start))
	}
	want := "bomb.yml:9:19: aliases and merge keys expand the file to more than 1000000 nodes"
	if err == nil || err.Error() != want || len(Problems(err)) != 1 {
		t.Errorf("Load(alias bomb) = %v, want one problem: %s", err, want)
	}
	if best > 100*time.Millisecond {
		t.Errorf("Load(alias bomb) took %v, want under 100ms", best)
	}
}

// TestAliasesUnderTheBound: a file that uses its anchors many times, but
// expands to fewer nodes than the bound, loads; a step an alias brings in
// many times with a mistake reports it once.
func TestAliasesUnderTheBound(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("version: \"1.0\"\nindicators:\n  - d: &d {type: build, image_name: x, tag: v1, build_arguments: [A=1, B=2]}\nsteps:\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "  s%d: *d\n", i)
	}
	p, err := Load(strings.NewReader(b.String()), "many.yml")
	if err != nil || len(p.Steps) != 2000 {
		t.Fatalf("Load(2000 aliased steps) = %v; want 2000 steps", err)
	}
	src := "version: \"1.0\"\nindicators:\n  - s: &s {type: parallel, steps: {a: {type: build, image_name: x}}}\nsteps:\n  one: *s\n  two: *s\n  three: *s\n"
	_, err = Load(strings.NewReader(src), "dup.yml")
	want := "dup.yml:3: steps.a: step name used twice (first on line 3); step names are unique across the pipeline"
	if got := Problems(err); len(got) != 1 || got[0].Error() != want {
		t.Errorf("Load(one step brought in three times) = %v; want one problem: %s", got, want)
	}
}
