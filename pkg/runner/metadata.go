package runner

import (
	"github.com/hoist-build/hoist/pkg/distribute"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

// StepRecord is one step in the --metadata-file JSON.
type StepRecord struct {
	Step string            `json:"step"`
	Type pipeline.StepType `json:"type"`
	// Status is pushed, built, planned (dry run), skipped or failed.
	Status     string   `json:"status"`
	Reason     string   `json:"reason,omitempty"`
	Decision   string   `json:"decision,omitempty"`
	Rule       int      `json:"rule,omitempty"`
	Registries []string `json:"registries,omitempty"`
	References []string `json:"references,omitempty"`
	Digest     string   `json:"digest,omitempty"`
	ImageID    string   `json:"image_id,omitempty"`
	// Builder names the builder that built the step, in a pool.
	Builder string `json:"builder,omitempty"`
	// Labels are the labels hoist set (where the Dockerfile did not).
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// EntityAnnotations are the build step's annotations: entries,
	// Codefresh's annotations of the run (or another entity).
	EntityAnnotations []EntityAnnotations `json:"entity_annotations,omitempty"`
	// Targets are a push step's per-target results.
	Targets []*distribute.Result `json:"targets,omitempty"`
}

// Records turns step results into metadata records.
func Records(results []*StepResult, dryRun bool) []StepRecord {
	var out []StepRecord
	for _, r := range results {
		rec := StepRecord{Step: r.Name, Type: r.Type}
		switch {
		case r.Skipped != "":
			rec.Status, rec.Reason = "skipped", r.Skipped
			out = append(out, rec)
			continue
		case r.Err != nil:
			rec.Status, rec.Reason = "failed", r.Err.Error()
		case dryRun:
			rec.Status = "planned"
		case r.pushes():
			rec.Status = "pushed"
		default:
			rec.Status = "built"
		}
		rec.Decision, rec.Rule = r.decision(), int(r.Decision.Rule)
		for _, reg := range r.Decision.Registries {
			rec.Registries = append(rec.Registries, reg.Name)
		}
		rec.References, rec.Digest, rec.ImageID, rec.Builder = r.Refs, r.Digest, r.ConfigDigest, r.Builder
		rec.Labels = map[string]string{}
		for k, v := range r.Request.TraceLabels {
			rec.Labels[k] = v
		}
		for k, v := range r.Request.Labels {
			rec.Labels[k] = v
		}
		rec.Annotations = r.Request.Annotations
		rec.EntityAnnotations = r.EntityAnnotations
		rec.Targets = r.Pushed
		out = append(out, rec)
	}
	return out
}

// WriteMetadata writes the records as JSON to path, atomically.
func WriteMetadata(path string, records []StepRecord) error {
	return distribute.WriteMetadata(path, struct {
		Steps []StepRecord `json:"steps"`
	}{records})
}
