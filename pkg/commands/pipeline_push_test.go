package commands

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPipelineBuildThenPushSteps: a build with disable_push, then push steps
// to two registries: both get the built digest from hoist's local store,
// under their tags; a third push step promotes a registry reference.
func TestPipelineBuildThenPushSteps(t *testing.T) {
	needStack(t)
	t.Setenv("HOIST_STORE", t.TempDir())
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo candidate > /c.txt\n",
		"codefresh.yml": `version: "1.0"
steps:
  build_app:
    type: build
    image_name: pipe/app
    tag: candidate
    disable_push: true
    build_arguments:
      - BASE=${{BASE}}
  push_a:
    type: push
    candidate: ${{build_app}}
    tag: "1.0"
    tags: [stable]
    registry: a
  push_b:
    type: push
    candidate: ${{build_app}}
    image_name: pipe/app-mirror
    registry: b
  promote_base:
    type: push
    candidate: ${{BASE}}
    image_name: pipe/base
    tag: pinned
    registry: b
`,
	})
	file := filepath.Join(dir, "codefresh.yml")
	args := []string{"run", "-f", file, "--registries", registriesFile(t, ""), "--builder", bk.Addr, "--progress", "quiet", "--var", "BASE=" + baseImage}

	dry := mustHoist(t, append(args, "--dry-run")...)
	wantDry := `step push_a: push to "a" (push steps always push), from step build_app
  ` + regA.Host + `/team-a/pipe/app:1.0
  ` + regA.Host + `/team-a/pipe/app:stable
`
	if !strings.Contains(dry.stdout, wantDry) {
		t.Errorf("dry run does not plan push_a as\n%s\ngot:\n%s", wantDry, dry.stdout)
	}

	r := mustHoist(t, args...)
	m := regexp.MustCompile(`step build_app: no push \(rule 1: the step sets disable_push\)\n  pipe/app:candidate\n  digest (sha256:[0-9a-f]{64})`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("stdout does not show the build's digest:\n%s", r.stdout)
	}
	built := m[1]
	for _, ref := range []string{regA.Host + "/team-a/pipe/app:1.0", regA.Host + "/team-a/pipe/app:stable", regB.Host + "/team-b/pipe/app-mirror:latest"} {
		if got := digestOf(t, ref, nil); got != built {
			t.Errorf("%s = %q, want the built digest %s", ref, got, built)
		}
	}
	if got, want := digestOf(t, regB.Host+"/team-b/pipe/base:pinned", nil), digestOf(t, baseImage, nil); got != want || got == "" {
		t.Errorf("promoted base = %q, want %q", got, want)
	}
}

// TestPushStepTags: a push step pushes its tag and tags; latest only when
// it names neither, or when every tag it names expands to nothing.
func TestPushStepTags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ fields, want string }{
		{"tags: [v1, stable]", "  127.0.0.1:5999/team/acme/app:v1\n  127.0.0.1:5999/team/acme/app:stable\n"},
		{"tag: v2\n    tags: [stable]", "  127.0.0.1:5999/team/acme/app:v2\n  127.0.0.1:5999/team/acme/app:stable\n"},
		{"registry: r", "  127.0.0.1:5999/team/acme/app:latest\n"},
		{`tags: ["${{EMPTY}}"]`, "  127.0.0.1:5999/team/acme/app:latest\n"},
	} {
		dir := writeFiles(t, map[string]string{"codefresh.yml": "version: \"1.0\"\nsteps:\n  p:\n    type: push\n    candidate: acme/app:1\n    " + tc.fields + "\n"})
		regs := writeFiles(t, map[string]string{"r.yaml": "registries:\n  - {name: r, provider: other, domain: 127.0.0.1:5999, prefix: team}\ndefault: r\n"})
		r := mustHoist(t, "explain", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", filepath.Join(regs, "r.yaml"), "--var", "EMPTY=")
		if !strings.HasSuffix(r.stdout, "from acme/app:1\n"+tc.want) {
			t.Errorf("%s: plan\n%s\nwant it to end with\n%s", tc.fields, r.stdout, tc.want)
		}
	}
}
