package commands

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// commandEnv returns the environment variables the flags of the command
// at path (e.g. "hoist build") read.
func commandEnv(t *testing.T, path string) map[string]bool {
	t.Helper()
	root := NewRoot()
	cmd, _, err := root.Find(strings.Fields(path)[1:])
	if err != nil || cmd.CommandPath() != path {
		t.Fatalf("no command %q", path)
	}
	names := map[string]bool{}
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		for _, n := range envNames(fl) {
			names[n] = true
		}
	})
	return names
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

var argRef = regexp.MustCompile(`^\$\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}$`)

// TestCodefreshStepType: every argument of the step type maps to a
// variable `hoist build` reads, every variable it sets is one, and its
// example uses only its arguments.
func TestCodefreshStepType(t *testing.T) {
	t.Parallel()
	var st struct {
		Version  string
		Kind     string
		Metadata struct {
			Name     string
			Examples []struct {
				Workflow struct {
					Steps map[string]struct {
						Type      string
						Arguments map[string]any
					}
				}
			}
		}
		Spec struct {
			Arguments string
			Steps     map[string]struct {
				Image       string
				Environment []string
				Commands    []string
			}
		}
	}
	readYAML(t, "../../integrations/codefresh/step.yaml", &st)
	if st.Kind != "step-type" || st.Version != "1.0" || st.Metadata.Name == "" {
		t.Fatalf("step.yaml: kind %q, version %q, name %q; want a step-type", st.Kind, st.Version, st.Metadata.Name)
	}
	var schema struct {
		Required   []string
		Properties map[string]struct{ Type string }
	}
	if err := json.Unmarshal([]byte(st.Spec.Arguments), &schema); err != nil {
		t.Fatalf("spec.arguments is not JSON schema: %v", err)
	}
	for _, r := range schema.Required {
		if _, ok := schema.Properties[r]; !ok {
			t.Errorf("required argument %s has no property", r)
		}
	}
	main, ok := st.Spec.Steps["main"]
	if !ok || len(main.Commands) != 1 || !strings.HasPrefix(main.Commands[0], "hoist build ") {
		t.Fatalf("spec.steps.main = %+v, want one `hoist build` command", main)
	}
	envs := commandEnv(t, "hoist build")
	used := map[string]bool{}
	for _, e := range main.Environment {
		k, v, _ := strings.Cut(e, "=")
		if !envs[k] {
			t.Errorf("environment %s: hoist build reads no such variable", k)
		}
		if m := argRef.FindStringSubmatch(v); m != nil {
			if _, ok := schema.Properties[m[1]]; !ok {
				t.Errorf("environment %s: argument %s is not in spec.arguments", k, m[1])
			}
			used[m[1]] = true
		}
	}
	for _, c := range main.Commands {
		for _, m := range regexp.MustCompile(`\$\{\{([A-Z_]+)\}\}`).FindAllStringSubmatch(c, -1) {
			used[m[1]] = true
		}
	}
	for p := range schema.Properties {
		if !used[p] {
			t.Errorf("argument %s reaches hoist nowhere", p)
		}
	}
	for _, ex := range st.Metadata.Examples {
		for name, s := range ex.Workflow.Steps {
			for a := range s.Arguments {
				if _, ok := schema.Properties[a]; !ok {
					t.Errorf("example step %s: argument %s is not in spec.arguments", name, a)
				}
			}
		}
	}
}

// TestGitHubAction: every input reaches a variable `hoist build` reads (or
// its arguments), and the outputs are the ones hoist writes.
func TestGitHubAction(t *testing.T) {
	t.Parallel()
	var a struct {
		Inputs  map[string]struct{ Required bool }
		Outputs map[string]struct{ Description string }
		Runs    struct {
			Using string
			Image string
			Env   map[string]string
			Args  []string
		}
	}
	readYAML(t, "../../action.yml", &a)
	if a.Runs.Using != "docker" || !strings.HasPrefix(a.Runs.Image, "docker://") || len(a.Runs.Args) == 0 || a.Runs.Args[0] != "build" {
		t.Fatalf("runs = %+v, want hoist build in the step image", a.Runs)
	}
	envs := commandEnv(t, "hoist build")
	input := regexp.MustCompile(`^\$\{\{\s*inputs\.([a-z-]+)\s*\}\}$`)
	used := map[string]bool{}
	for k, v := range a.Runs.Env {
		if !envs[k] {
			t.Errorf("runs.env %s: hoist build reads no such variable", k)
		}
		if m := input.FindStringSubmatch(v); m != nil {
			used[m[1]] = true
		}
	}
	for _, arg := range a.Runs.Args {
		if m := input.FindStringSubmatch(arg); m != nil {
			used[m[1]] = true
		}
	}
	for in := range a.Inputs {
		if !used[in] {
			t.Errorf("input %s reaches hoist nowhere", in)
		}
	}
	var outs []string
	for o := range a.Outputs {
		outs = append(outs, o)
	}
	slices.Sort(outs)
	if want := []string{"digest", "imageid", "metadata"}; !slices.Equal(outs, want) {
		t.Errorf("outputs = %v, want %v (what hoist writes to $GITHUB_OUTPUT)", outs, want)
	}
}

// TestGitLabJob: the job sets only variables `hoist build` reads.
func TestGitLabJob(t *testing.T) {
	t.Parallel()
	var jobs map[string]struct {
		Image     struct{ Name string }
		Variables map[string]string
		Script    []string
	}
	readYAML(t, "../../examples/gitlab-ci/.gitlab-ci.yml", &jobs)
	job, ok := jobs["build"]
	if !ok || len(job.Script) != 1 || !strings.HasPrefix(job.Script[0], "hoist build") || job.Image.Name == "" {
		t.Fatalf("build job = %+v, want hoist build in the step image", job)
	}
	envs := commandEnv(t, "hoist build")
	for k := range job.Variables {
		if !envs[k] {
			t.Errorf("variables %s: hoist build reads no such variable", k)
		}
	}
}

// TestCodefreshFreestyleExample: the freestyle example validates, sets only
// variables `hoist run` reads, and the pipeline it runs plans.
func TestCodefreshFreestyleExample(t *testing.T) {
	t.Parallel()
	const file = "../../examples/codefresh-freestyle/codefresh.yml"
	mustHoist(t, "validate", "-f", file)
	var p struct {
		Steps map[string]struct {
			Type        string
			Environment []string
			Commands    []string
		}
	}
	readYAML(t, file, &p)
	step := p.Steps["hoist"]
	if step.Type != "freestyle" || len(step.Commands) != 1 || step.Commands[0] != "hoist run" {
		t.Fatalf("step hoist = %+v, want a freestyle step running hoist run", step)
	}
	envs := commandEnv(t, "hoist run")
	for _, e := range step.Environment {
		if k, _, _ := strings.Cut(e, "="); !envs[k] {
			t.Errorf("environment %s: hoist run reads no such variable", k)
		}
	}
	r := mustHoist(t, "explain", "-f", "../../examples/codefresh-freestyle/build.yml", "--var", "CF_BRANCH=main")
	if want := "step build_app: no push (rule 6: no registries are configured)\n  acme/app:main\n"; r.stdout != want {
		t.Errorf("build.yml plan = %q, want %q", r.stdout, want)
	}
}
