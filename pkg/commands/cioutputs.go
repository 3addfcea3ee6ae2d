package commands

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hoist-build/hoist/pkg/ci"
	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/runner"
)

// writeCIOutputs, under GitHub Actions, gives the run's results to later
// steps as outputs (digest and imageid of the last build step that ran,
// metadata: the --metadata-file JSON) and a table to the job summary.
func writeCIOutputs(env map[string]string, records []runner.StepRecord) error {
	if len(records) == 0 {
		return nil
	}
	var digest, imageID string
	var table strings.Builder
	table.WriteString("| step | status | digest | references |\n|---|---|---|---|\n")
	for _, r := range records {
		if r.Type == pipeline.TypeBuild && r.Digest != "" {
			digest, imageID = r.Digest, r.ImageID
		}
		fmt.Fprintf(&table, "| %s | %s | %s | %s |\n", r.Step, r.Status, orDash(r.Digest), orDash(strings.Join(r.References, "<br>")))
	}
	meta, err := json.Marshal(struct {
		Steps []runner.StepRecord `json:"steps"`
	}{records})
	if err != nil {
		return err
	}
	outputs := [][2]string{{"digest", digest}, {"imageid", imageID}, {"metadata", string(meta)}}
	return ci.WriteGitHub(env, outputs, "### hoist\n\n"+table.String()+"\n")
}
