package pipeline

import (
	"fmt"
	"strings"
	"testing"
)

// bigPipeline is a pipeline of about lines lines: build and push steps
// with variables, anchors, a when condition and parallel blocks.
func bigPipeline(lines int) string {
	var b strings.Builder
	b.WriteString("version: \"1.0\"\nindicators:\n  - defaults: &defaults\n      type: build\n      tag_policy: original\nsteps:\n")
	for i := 0; strings.Count(b.String(), "\n") < lines; i++ {
		fmt.Fprintf(&b, `  group_%d:
    type: parallel
    steps:
      build_%d:
        <<: *defaults
        image_name: acme/app-%d
        tag: ${{CF_BRANCH_TAG_NORMALIZED}}
        tags: [v%d, latest]
        build_arguments:
          - N=%d
        when:
          condition:
            all:
              notSkipped: 'includes("${{CF_COMMIT_MESSAGE}}", "[skip]") == false'
      push_%d:
        type: push
        candidate: ${{build_%d}}
        registry: prod
`, i, i, i, i, i, i, i)
	}
	return b.String()
}

// BenchmarkLoad2000 loads a 2,000-line pipeline: what hoist validate does
// (goal: under 50 ms).
func BenchmarkLoad2000(b *testing.B) {
	src := bigPipeline(2000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Load(strings.NewReader(src), "big.yml"); err != nil {
			b.Fatal(err)
		}
	}
}
