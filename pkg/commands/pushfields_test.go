package commands

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPushFieldsNotActedOn: the push step fields Codefresh's validator
// knows and hoist does not use (inline ECR keys, registry_context) load
// with one warning each naming file, line and field, as Codefresh's
// validator's yaml-with-registry-url.yml and yaml-with-registry-context.yml
// write them; none of their values is printed.
func TestPushFieldsNotActedOn(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"codefresh.yml": `version: '1.0'
steps:
  push:
    type: push
    candidate: acme/app:1.0
    registry: gcr
    registry_context: gcr
    accessKeyId: AKIAEXAMPLEKEYID
    secretAccessKey: not-a-real-secret-value
    region: eu-west-1
    tags:
      - "1.0"
`,
	})
	file := filepath.Join(dir, "codefresh.yml")
	want := []string{
		"hoist: warning: " + file + ":7:5: steps.push.registry_context: hoist logs in to every integration itself; registry_context is not used",
		"hoist: warning: " + file + ":8:5: steps.push.accessKeyId: the ECR login comes from the registry integration in the registries file",
		"hoist: warning: " + file + ":9:5: steps.push.secretAccessKey: the ECR login comes from the registry integration in the registries file",
		"hoist: warning: " + file + ":10:5: steps.push.region: the ECR login comes from the registry integration (provider: ecr, region in the registries file)",
	}
	r := mustHoist(t, "validate", "-f", file)
	got := strings.TrimSpace(r.stderr)
	if got != strings.Join(want, "\n") {
		t.Errorf("hoist validate: stderr\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	if strings.Contains(r.stdout+r.stderr, "not-a-real-secret-value") || strings.Contains(r.stdout+r.stderr, "AKIAEXAMPLEKEYID") {
		t.Errorf("hoist validate printed a key's value:\n%s%s", r.stdout, r.stderr)
	}
}
