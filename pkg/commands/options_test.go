package commands

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// walk calls fn for every command of the tree under cmd.
func walk(cmd *cobra.Command, fn func(*cobra.Command)) {
	fn(cmd)
	for _, c := range cmd.Commands() {
		walk(c, fn)
	}
}

// visitFlags calls fn for every flag cmd has, its parents' persistent
// flags too, but help.
func visitFlags(cmd *cobra.Command, fn func(*pflag.Flag)) {
	for _, fs := range []*pflag.FlagSet{cmd.LocalFlags(), cmd.InheritedFlags()} {
		fs.VisitAll(func(fl *pflag.Flag) {
			if fl.Name != "help" {
				fn(fl)
			}
		})
	}
}

// TestCommandFlags: each command has the flags it uses, and no others.
func TestCommandFlags(t *testing.T) {
	pipelineRun := []string{"auto-push-registry", "file", "metadata-file", "no-auto-push", "registries", "var", "var-file",
		"branch", "sha", "no-cache", "no-cf-cache", "skip", "only"}
	builds := []string{"builder", "builders", "progress", "dry-run", "tlscacert", "tlscert", "tlskey", "tlsservername", "tlsdir", "retries", "retry-max-wait"}
	copies := []string{"metadata-file", "registries", "retries", "retry-max-wait"}
	want := map[string][]string{
		"hoist":                  nil,
		"hoist run":              append(append([]string{}, pipelineRun...), builds...),
		"hoist explain":          pipelineRun,
		"hoist validate":         {"file"},
		"hoist build":            append(append([]string{"auto-push-registry", "metadata-file", "no-auto-push", "registries", "var", "var-file"}, builds...), "build-arg", "file", "image-name", "label", "no-cache", "no-push", "platform", "registry", "secret", "ssh", "tag", "target", "iidfile", "quiet", "annotation", "attest", "provenance", "sbom", "pull", "network", "add-host", "allow", "build-context", "output", "cache-from", "cache-to"),
		"hoist push":             append([]string{"image-name", "registry", "tag"}, copies...),
		"hoist tag":              copies,
		"hoist promote":          append([]string{"image-name", "tag", "to"}, copies...),
		"hoist images":           {"column", "concurrency", "digest", "file", "filter", "output", "registries", "registry"},
		"hoist annotate":         copies,
		"hoist images inspect":   {"concurrency", "output", "registries"},
		"hoist images serve":     {"file", "listen", "registries", "registry", "ttl"},
		"hoist registries":       nil,
		"hoist registries check": {"concurrency", "registries"},
		"hoist store":            nil,
		"hoist store prune":      {"all", "keep"},
		"hoist version":          {"output"},
	}
	got := map[string][]string{}
	walk(NewRoot(), func(cmd *cobra.Command) {
		var names []string
		visitFlags(cmd, func(fl *pflag.Flag) { names = append(names, fl.Name) })
		got[cmd.CommandPath()] = names
	})
	for _, names := range want {
		sort.Strings(names)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flags per command (-want +got):\n%s", diff)
	}
}

// semicolonLists are the list flags whose items hold commas by their
// syntax (buildx's type=...,dest=..., id=x,src=f, ID=KEY1,KEY2): their
// environment variables separate items with semicolons.
var semicolonLists = map[string]bool{"output": true, "cache-from": true, "cache-to": true, "secret": true, "ssh": true, "attest": true}

// pairLists are the list flags of KEY=VALUE items, whose values may hold
// commas.
var pairLists = map[string]bool{"var": true, "build-arg": true, "label": true, "annotation": true, "filter": true}

// TestFlagEnv: every flag reads environment variables and says which in
// its usage; a variable that two flags read means the same on both; no
// flag reads a variable hoist reads for something else, or a retired one.
func TestFlagEnv(t *testing.T) {
	type use struct {
		cmd                              string
		name, shorthand, usage, typ, def string
	}
	notFlags := map[string]bool{"HOIST_STORE": true, "HOIST_DEFAULT_BRANCH": true, "HOIST_BUILDKITD": true, "HOIST_BUILDKIT_STATE": true}
	byEnv := map[string]use{}
	var retiredNames []string
	walk(NewRoot(), func(cmd *cobra.Command) {
		visitFlags(cmd, func(fl *pflag.Flag) {
			names := envNames(fl)
			if len(names) == 0 {
				t.Errorf("%s --%s reads no environment variable", cmd.CommandPath(), fl.Name)
				return
			}
			suffix := "(env " + strings.Join(names, " or ") + ")"
			if _, ok := fl.Value.(pflag.SliceValue); ok {
				sep := "comma-separated"
				if semicolonLists[fl.Name] {
					sep = "semicolon-separated"
				}
				if pairLists[fl.Name] {
					sep += "; a comma not followed by KEY= stays in the value"
				}
				suffix = "(env " + strings.Join(names, " or ") + ", " + sep + ")"
			}
			if !strings.HasSuffix(fl.Usage, " "+suffix) {
				t.Errorf("%s --%s usage = %q, want it to end with %q", cmd.CommandPath(), fl.Name, fl.Usage, suffix)
			}
			u := use{cmd.CommandPath(), fl.Name, fl.Shorthand, fl.Usage, fl.Value.Type(), fl.DefValue}
			for _, n := range names {
				if notFlags[n] {
					t.Errorf("%s --%s reads $%s, which hoist reads for something else", cmd.CommandPath(), fl.Name, n)
				}
				prev, ok := byEnv[n]
				if !ok {
					byEnv[n] = u
					continue
				}
				same := u
				same.cmd = prev.cmd
				if same != prev {
					t.Errorf("$%s means two things:\n  %+v\n  %+v", n, prev, u)
				}
			}
			retiredNames = append(retiredNames, fl.Annotations[retiredAnnotation]...)
		})
	})
	for _, n := range retiredNames {
		if u, ok := byEnv[n]; ok {
			t.Errorf("$%s is retired, yet %s --%s reads it", n, u.cmd, u.name)
		}
	}
	// The names the README documents.
	for _, n := range []string{"HOIST_REGISTRIES", "HOIST_AUTO_PUSH_REGISTRY", "HOIST_BUILDER", "BUILDKIT_HOST", "BUILDKIT_PROGRESS"} {
		if _, ok := byEnv[n]; !ok {
			t.Errorf("no flag reads $%s", n)
		}
	}
}

// TestFlagsOnlyWhereUsed: a shared flag on a command that does not use it
// is an unknown flag, exit 2.
func TestFlagsOnlyWhereUsed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"version", "--no-auto-push"}, "--no-auto-push"},
		{[]string{"version", "--builder", "x"}, "--builder"},
		{[]string{"images", "--metadata-file", "f"}, "--metadata-file"},
		{[]string{"images", "inspect", "x", "--var", "A=1"}, "--var"},
		{[]string{"explain", "--builder", "x"}, "--builder"},
		{[]string{"explain", "--progress", "plain"}, "--progress"},
		{[]string{"validate", "--registries", "r.yaml"}, "--registries"},
		{[]string{"tag", "a:1", "b:1", "--progress", "plain"}, "--progress"},
		{[]string{"push", "a:1", "--var", "A=1"}, "--var"},
		{[]string{"registries", "check", "--auto-push-registry", "a"}, "--auto-push-registry"},
	} {
		r := hoist(t, tc.args...)
		want := "hoist: unknown flag: " + tc.flag + "\n"
		if r.code != ExitBadInput || r.stderr != want || r.stdout != "" {
			t.Errorf("hoist %s: exit %d, stdout %q, stderr %q; want exit 2, %q", strings.Join(tc.args, " "), r.code, r.stdout, r.stderr, want)
		}
	}
}

// TestHelpOwnFlags: each command's help lists its own flags, each with its
// environment variables, and no global ones.
func TestHelpOwnFlags(t *testing.T) {
	walk(NewRoot(), func(cmd *cobra.Command) {
		args := append(strings.Fields(cmd.CommandPath())[1:], "--help")
		r := mustHoist(t, args...)
		if strings.Contains(r.stdout, "Global Flags") {
			t.Errorf("hoist %s shows global flags:\n%s", strings.Join(args, " "), r.stdout)
		}
		visitFlags(cmd, func(fl *pflag.Flag) {
			if !strings.Contains(r.stdout, "--"+fl.Name+" ") || !strings.Contains(r.stdout, "(env "+strings.Join(envNames(fl), " or ")) {
				t.Errorf("hoist %s does not show --%s with its variables:\n%s", strings.Join(args, " "), fl.Name, r.stdout)
			}
		})
	})
}

// bound parses args as hoist would and fills the flags from the
// environment, without running the command.
func bound(t *testing.T, args ...string) (*cobra.Command, string) {
	t.Helper()
	cmd, rest, err := NewRoot().Find(args)
	if err != nil {
		t.Fatalf("Find(%q): %v", args, err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("ParseFlags(%q): %v", rest, err)
	}
	var stderr strings.Builder
	cmd.SetErr(&stderr)
	if err := bindEnv(cmd); err != nil {
		t.Fatalf("bindEnv(%s): %v", cmd.CommandPath(), err)
	}
	return cmd, stderr.String()
}

// TestEnvOneMeaning: the variables that used to mean one thing to one
// command and another to the next no longer reach the wrong command.
func TestEnvOneMeaning(t *testing.T) {
	t.Setenv("HOIST_PIPELINE", "ci/codefresh.yml")
	t.Setenv("HOIST_IMAGES_OUTPUT", "wide")
	t.Setenv("HOIST_NO_CACHE", "true")
	t.Setenv("HOIST_VAR_FILE", "vars.yml")
	t.Setenv("HOIST_BRANCH", "release/1")
	for _, tc := range []struct {
		args       []string
		flag, want string
	}{
		{[]string{"run"}, "file", "ci/codefresh.yml"},
		{[]string{"explain"}, "file", "ci/codefresh.yml"},
		{[]string{"validate"}, "file", "ci/codefresh.yml"},
		{[]string{"build", "."}, "file", ""}, // the default: CONTEXT/Dockerfile
		{[]string{"images"}, "output", "wide"},
		{[]string{"images", "inspect", "x"}, "output", "text"},
		// --no-cache and --var-file mean the same on run, explain and build;
		// only run and explain name a branch.
		{[]string{"run"}, "no-cache", "true"},
		{[]string{"explain"}, "no-cache", "true"},
		{[]string{"build", "."}, "no-cache", "true"},
		{[]string{"run"}, "var-file", "vars.yml"},
		{[]string{"build", "."}, "var-file", "vars.yml"},
		{[]string{"explain"}, "branch", "release/1"},
		{[]string{"run"}, "branch", "release/1"},
	} {
		cmd, _ := bound(t, tc.args...)
		if got := cmd.Flags().Lookup(tc.flag).Value.String(); got != tc.want {
			t.Errorf("hoist %s: --%s = %q, want %q", strings.Join(tc.args, " "), tc.flag, got, tc.want)
		}
	}
}

// TestEnvRetired: a variable whose name was retired is not read, and hoist
// says what reads it now.
func TestEnvRetired(t *testing.T) {
	t.Setenv("HOIST_FILE", "codefresh.yml")
	t.Setenv("HOIST_OUTPUT", "wide")
	for _, tc := range []struct {
		args       []string
		flag, want string
		warning    string
	}{
		{[]string{"build", "."}, "file", "", "hoist: warning: $HOIST_FILE is no longer read: -f/--file reads $HOIST_DOCKERFILE\n"},
		{[]string{"validate"}, "file", "codefresh.yml", "hoist: warning: $HOIST_FILE is no longer read: -f/--file reads $HOIST_PIPELINE\n"},
		{[]string{"images", "inspect", "x"}, "output", "text", "hoist: warning: $HOIST_OUTPUT is no longer read: -o/--output reads $HOIST_IMAGES_INSPECT_OUTPUT\n"},
		{[]string{"validate", "-f", "x.yml"}, "file", "x.yml", ""},
	} {
		cmd, stderr := bound(t, tc.args...)
		if got := cmd.Flags().Lookup(tc.flag).Value.String(); got != tc.want {
			t.Errorf("hoist %s: --%s = %q, want %q", strings.Join(tc.args, " "), tc.flag, got, tc.want)
		}
		if stderr != tc.warning {
			t.Errorf("hoist %s: stderr = %q, want %q", strings.Join(tc.args, " "), stderr, tc.warning)
		}
	}
}

// TestEnvLists: a list flag takes comma-separated values from the
// environment, or semicolon-separated ones where each holds commas; in a
// KEY=VALUE list a comma not followed by KEY= stays in the value; the
// command line keeps one value per flag, and wins.
func TestEnvLists(t *testing.T) {
	t.Setenv("HOIST_BUILD_REGISTRY", "a, b")
	t.Setenv("HOIST_BUILD_OUTPUT", "type=oci,dest=a.tar; type=local,dest=out")
	t.Setenv("HOIST_CACHE_TO", "type=local,dest=c,mode=max")
	t.Setenv("HOIST_VAR", "A=1,B=2,")
	t.Setenv("HOIST_BUILD_ARG", "")
	t.Setenv("HOIST_LABEL", "a=x,y, b=1,")
	t.Setenv("HOIST_ANNOTATION", "index:org.opencontainers.image.description=fast, small")
	t.Setenv("HOIST_SECRET", "id=a,src=f;id=b,env=B")
	t.Setenv("HOIST_SSH", "default;git=k1,k2")
	t.Setenv("HOIST_ATTEST", "type=provenance,mode=max;type=sbom,generator=g")
	t.Setenv("HOIST_ONLY", "a,b")
	for _, tc := range []struct {
		args []string
		flag string
		want []string
	}{
		{[]string{"build", "."}, "registry", []string{"a", "b"}},
		{[]string{"build", "."}, "var", []string{"A=1", "B=2"}},
		{[]string{"build", "."}, "build-arg", []string{}},
		{[]string{"build", "."}, "label", []string{"a=x,y", "b=1"}},
		{[]string{"build", "."}, "annotation", []string{"index:org.opencontainers.image.description=fast, small"}},
		{[]string{"build", "."}, "secret", []string{"id=a,src=f", "id=b,env=B"}},
		{[]string{"build", "."}, "ssh", []string{"default", "git=k1,k2"}},
		{[]string{"build", "."}, "attest", []string{"type=provenance,mode=max", "type=sbom,generator=g"}},
		{[]string{"run"}, "only", []string{"a", "b"}},
		{[]string{"build", "."}, "output", []string{"type=oci,dest=a.tar", "type=local,dest=out"}},
		{[]string{"build", "."}, "cache-to", []string{"type=local,dest=c,mode=max"}},
		{[]string{"build", ".", "--registry", "c,d"}, "registry", []string{"c,d"}},
		{[]string{"run", "--var", "A=1,B=2", "--var", "C=3"}, "var", []string{"A=1,B=2", "C=3"}},
		// codefresh run's names: -v and --variable are --var.
		{[]string{"run", "-v", "A=1", "--variable", "B=2", "--var", "C=3"}, "var", []string{"A=1", "B=2", "C=3"}},
		{[]string{"explain", "--skip", "a", "--skip", "b,c"}, "skip", []string{"a", "b,c"}},
	} {
		cmd, _ := bound(t, tc.args...)
		got, err := cmd.Flags().GetStringArray(tc.flag)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("hoist %s: --%s (-want +got):\n%s", strings.Join(tc.args, " "), tc.flag, diff)
		}
	}
}

// TestEnvBuildDryRun: with the pipeline variables of hoist run set, hoist
// build still builds the Dockerfile, and takes its registries and tags
// from its own variables.
func TestEnvBuildDryRun(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	t.Setenv("HOIST_PIPELINE", "codefresh.yml")
	t.Setenv("HOIST_REGISTRIES", registriesFile(t, ""))
	t.Setenv("HOIST_BUILD_REGISTRY", "a,b")
	t.Setenv("HOIST_BUILD_TAG", "v1,v2")
	r := mustHoist(t, "build", dir, "--image-name", "e2e/env", "--dry-run")
	want := `step build: push to "a", "b" (rule 2: the step's registry)
  ` + regA.Host + `/team-a/e2e/env:v1
  ` + regA.Host + `/team-a/e2e/env:v2
  ` + regB.Host + `/team-b/e2e/env:v1
  ` + regB.Host + `/team-b/e2e/env:v2
`
	if r.stdout != want || r.stderr != "" {
		t.Errorf("stdout = %q, stderr = %q; want %q and nothing", r.stdout, r.stderr, want)
	}
	file := filepath.Join(writeFiles(t, map[string]string{"p.yml": "version: \"1.0\"\nsteps: {}\n"}), "p.yml")
	t.Setenv("HOIST_PIPELINE", file)
	t.Setenv("HOIST_DOCKERFILE", "nope.Dockerfile")
	if r := mustHoist(t, "validate"); r.stdout != file+": valid\n" {
		t.Errorf("hoist validate with $HOIST_PIPELINE: stdout = %q", r.stdout)
	}
}

// TestEnvBadValues: a bad value from the environment is a bad input, the
// same line as on the command line or naming the variable.
func TestEnvBadValues(t *testing.T) {
	for _, tc := range []struct {
		env, value string
		args       []string
		want       string
	}{
		{"HOIST_PROGRESS", "fancy", []string{"run"}, "hoist: --progress fancy: want auto, tty, plain, rawjson or quiet\n"},
		{"BUILDKIT_PROGRESS", "fancy", []string{"build", ".", "--image-name", "x"}, "hoist: --progress fancy: want auto, tty, plain, rawjson or quiet\n"},
		{"HOIST_VAR", "NOEQUALS,A=1", []string{"explain"}, "hoist: --var \"NOEQUALS\": want KEY=VALUE\n"},
		{"HOIST_NO_AUTO_PUSH", "maybe", []string{"explain"}, "hoist: $HOIST_NO_AUTO_PUSH: strconv.ParseBool: parsing \"maybe\": invalid syntax\n"},
		{"HOIST_RETRY_MAX_WAIT", "soon", []string{"push", "x"}, "hoist: $HOIST_RETRY_MAX_WAIT: time: invalid duration \"soon\"\n"},
		{"HOIST_RETRIES", "-1", []string{"tag", "a:1", "b:1"}, "hoist: --retries -1: want 0 or more\n"},
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			r := hoist(t, tc.args...)
			if r.code != ExitBadInput || r.stderr != tc.want {
				t.Errorf("%s=%s hoist %s: exit %d, stderr %q; want exit 2, %q", tc.env, tc.value, strings.Join(tc.args, " "), r.code, r.stderr, tc.want)
			}
		})
	}
	// Commands without --progress do not read it.
	t.Setenv("HOIST_PROGRESS", "fancy")
	if r := hoist(t, "explain", "-f", "/nonexistent/codefresh.yml"); r.stderr != "hoist: /nonexistent/codefresh.yml: pipeline file not found\n" {
		t.Errorf("HOIST_PROGRESS=fancy hoist explain: stderr %q", r.stderr)
	}
}

// TestOptionsValidate: each option struct's checks, with the lines the
// command line has always printed.
func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts interface{ Validate() error }
		want string // "" for valid
	}{
		{"progress-auto", &BuilderOptions{Progress: "auto"}, ""},
		{"progress-rawjson", &BuilderOptions{Progress: "rawjson"}, ""},
		{"progress-bad", &BuilderOptions{Progress: "fancy"}, "--progress fancy: want auto, tty, plain, rawjson or quiet"},
		{"auto-push-registry", &AutoPushOptions{Registry: "a"}, ""},
		{"no-auto-push", &AutoPushOptions{NoPush: true}, ""},
		{"auto-push-both", &AutoPushOptions{Registry: "a", NoPush: true}, "--auto-push-registry and --no-auto-push exclude each other"},
		{"vars", &VarOptions{Vars: []string{"A=1", "B=", "C=x=y"}}, ""},
		{"var-no-equals", &VarOptions{Vars: []string{"A=1", "NOEQUALS"}}, `--var "NOEQUALS": want KEY=VALUE`},
		{"var-no-key", &VarOptions{Vars: []string{"=x"}}, `--var "=x": want KEY=VALUE`},
		{"registries", &RegistriesOptions{}, ""},
		{"retry", &RetryOptions{Retries: 0, MaxWait: time.Second}, ""},
		{"retries-negative", &RetryOptions{Retries: -1, MaxWait: time.Second}, "--retries -1: want 0 or more"},
		{"retry-max-wait-zero", &RetryOptions{Retries: 5}, "--retry-max-wait 0s: want a positive duration"},
		{"concurrency", &ConcurrencyOptions{Limit: 16}, ""},
		{"concurrency-zero", &ConcurrencyOptions{Limit: 0}, "--concurrency 0: want 1 or more"},
		{"metadata", &MetadataOptions{File: "m.json"}, ""},
		{"pipeline", &PipelineFileOptions{File: "codefresh.yml"}, ""},
		{"build", &buildOptions{imageName: "x"}, ""},
		{"build-no-image", &buildOptions{}, "--image-name: required, unless -t gives a full reference such as registry.example.com/acme/app:1.2"},
		{"build-no-push-registry", &buildOptions{imageName: "x", noPush: true, registries: []string{"a"}}, "--no-push and --registry exclude each other"},
	} {
		got := ""
		if err := tc.opts.Validate(); err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: Validate() = %q, want %q", tc.name, got, tc.want)
		}
	}
	vars, _, err := (&VarOptions{Vars: []string{"A=1", "A=2", "B="}}).Map()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"A": "2", "B": ""}, vars); diff != "" {
		t.Errorf("Map() (-want +got):\n%s", diff)
	}
}
