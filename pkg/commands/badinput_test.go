package commands

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput: each user mistake gets one line naming the file, line and
// field, and exit 2; nothing is built. Each is checked in a dry run, which
// needs no servers, and in a real run with the stack's buildkitd (some
// mistakes are only found after hoist has connected to it).
func TestBadInput(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		regs  string // registries file; the test one when empty
		want  string // stderr, with FILE for the pipeline's path, REGS for the registries file's and REGA for registry a's host
	}{
		{
			name:  "malformed-yaml",
			files: map[string]string{"codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: x\n      tag: v1\n"},
			want:  "hoist: FILE:6: invalid YAML: mapping values are not allowed in this context\n",
		},
		{
			name:  "unknown-field",
			files: map[string]string{"codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    imagename: x\n"},
			want:  "hoist: FILE:5:5: steps.app.imagename: unknown field (did you mean image_name?)\n",
		},
		{
			name:  "missing-image-name",
			files: map[string]string{"codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    tag: v1\n"},
			want:  "hoist: FILE:4:5: steps.app.image_name: required for a build step\n",
		},
		{
			name:  "wrong-type",
			files: map[string]string{"codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: x\n    disable_push: maybe\n"},
			want:  "hoist: FILE:6:19: steps.app.disable_push: must be true or false, got \"maybe\"\n",
		},
		{
			name:  "unknown-registry",
			files: map[string]string{"Dockerfile": "FROM scratch\n", "codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: x\n    registry: nope\n"},
			want:  "hoist: FILE:6: steps.app.registry: unknown registry \"nope\" (known: a, b, secure)\n",
		},
		{
			name:  "missing-dockerfile",
			files: map[string]string{"codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: x\n    dockerfile: build/Dockerfile\n"},
			want:  "hoist: FILE:6: steps.app.dockerfile: Dockerfile DIR/build/Dockerfile not found\n",
		},
		{
			name:  "undefined-variable",
			files: map[string]string{"Dockerfile": "FROM scratch\n", "codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: x\n    tag: ${{RELEASE}}\n"},
			want:  "hoist: FILE:6: steps.app.tag: undefined variable ${{RELEASE}}\n",
		},
		{
			name:  "bad-image-name",
			files: map[string]string{"Dockerfile": "FROM scratch\n", "codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: Team/App\n"},
			want:  "hoist: FILE:5: steps.app.image_name: image name \"Team/App\" in registry \"a\" (REGA): repository can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-./`: team-a/Team/App\n",
		},
		{
			name:  "bad-tag",
			files: map[string]string{"Dockerfile": "FROM scratch\n", "codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: x\n    tag: a:b\n"},
			want:  "hoist: FILE:6: steps.app.tag: invalid tag \"a:b\": tags are up to 128 letters, digits, _, . and -, not starting with . or -\n",
		},
		{
			name:  "registries-unknown-field",
			files: map[string]string{"codefresh.yml": "version: \"1.0\"\nsteps: {}\n", "registries.yaml": "registries:\n  - name: a\n    domain: 127.0.0.1:1\n    passwrd: x\n"},
			regs:  "registries.yaml",
			want:  "hoist: REGS:4: passwrd: unknown field\n",
		},
		{
			name:  "registries-duplicate-name",
			files: map[string]string{"codefresh.yml": "version: \"1.0\"\nsteps: {}\n", "registries.yaml": "registries:\n  - name: a\n    domain: 127.0.0.1:1\n  - name: a\n    domain: 127.0.0.1:2\n"},
			regs:  "registries.yaml",
			want:  "hoist: REGS:4: registries[1].name: \"a\" is defined twice, on lines 2 and 4\n",
		},
	}
	// check runs every case with the registries file regs, registry a at
	// hostA, and the run flags args.
	check := func(t *testing.T, parallel bool, regs, hostA string, args ...string) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if parallel {
					t.Parallel()
				}
				dir := writeFiles(t, tc.files)
				file := filepath.Join(dir, "codefresh.yml")
				r := regs
				if tc.regs != "" {
					r = filepath.Join(dir, tc.regs)
				}
				got := hoist(t, append([]string{"run", "-f", file, "--registries", r}, args...)...)
				want := strings.NewReplacer("FILE", file, "DIR", dir, "REGS", r, "REGA", hostA).Replace(tc.want)
				if got.code != 2 || got.stderr != want {
					t.Errorf("exit %d, stderr:\n%q\nwant exit 2, stderr:\n%q", got.code, got.stderr, want)
				}
				if got.stdout != "" {
					t.Errorf("stdout = %q, want nothing", got.stdout)
				}
			})
		}
	}
	t.Run("dry-run", func(t *testing.T) {
		check(t, true, planRegistriesFile(t, ""), planA, "--dry-run")
	})
	t.Run("run", func(t *testing.T) {
		needStack(t)
		check(t, false, registriesFile(t, ""), regA.Host, "--builder", bk.Addr)
	})
}

// TestBadFlags: flag mistakes exit 2 with one line.
func TestBadFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build", "."}, "hoist: --image-name: required, unless -t gives a full reference such as registry.example.com/acme/app:1.2\n"},
		{[]string{"build", ".", "--image-name", "x", "--no-push", "--registry", "a"}, "hoist: --no-push and --registry exclude each other\n"},
		{[]string{"run", "--bogus"}, "hoist: unknown flag: --bogus\n"},
		{[]string{"run", "-f", "/nonexistent/codefresh.yml"}, "hoist: /nonexistent/codefresh.yml: pipeline file not found\n"},
		{[]string{"run", "--var", "NOEQUALS"}, "hoist: --var \"NOEQUALS\": want KEY=VALUE\n"},
		{[]string{"run", "--progress", "fancy"}, "hoist: --progress fancy: want auto, tty, plain, rawjson or quiet\n"},
		{[]string{"run", "--sha", "main"}, "hoist: --sha \"main\": want a commit hash, 4 to 64 hexadecimal digits\n"},
		{[]string{"run", "--only", ""}, "hoist: --only: want a step name\n"},
		{[]string{"run", "--var-file", "/nonexistent/vars.yml"}, "hoist: /nonexistent/vars.yml: variables file not found\n"},
		{[]string{"build", ".", "--image-name", "x", "--build-arg", "=1"}, "hoist: --build-arg \"=1\": want KEY=VALUE, the key not empty\n"},
		{[]string{"build", ".", "--image-name", "x", "--label", " =1"}, "hoist: --label \" =1\": want KEY=VALUE, the key not empty\n"},
		// Wrong numbers of arguments and unknown commands are bad input.
		{[]string{"build", ".", "--image-name", "x", "--provenance", "mode=max"}, "hoist: build: accepts at most 1 arg(s), received 2 (usage: hoist build [CONTEXT] [flags]); is mode=max a flag's value? a flag whose value is optional (--provenance, --sbom) takes it after =, e.g. --provenance=mode=max\n"},
		{[]string{"push"}, "hoist: push: accepts 1 arg(s), received 0 (usage: hoist push SRC [flags])\n"},
		{[]string{"bogus"}, "hoist: unknown command \"bogus\" for hoist (hoist --help lists the commands)\n"},
		{[]string{"registries", "bogus"}, "hoist: unknown command \"bogus\" for hoist registries (hoist registries --help lists the commands)\n"},
		{[]string{"explain", "--ncfc=maybe"}, "hoist: invalid argument \"maybe\" for \"--no-cf-cache\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax\n"},
	} {
		r := hoist(t, tc.args...)
		if r.code != 2 || r.stderr != tc.want {
			t.Errorf("hoist %v: exit %d, stderr %q; want exit 2, %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// TestLaterStepBadBuildsNothing: a mistake in the second step is found
// before the first step builds or pushes anything.
func TestLaterStepBadBuildsNothing(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\n",
		"codefresh.yml": `version: "1.0"
steps:
  first:
    type: build
    image_name: e2e/first-of-two
    tag: v1
    build_arguments:
      - BASE=${{BASE}}
  second:
    type: build
    image_name: e2e/second
    registry: nope
`,
	})
	file := filepath.Join(dir, "codefresh.yml")
	r := hoist(t, "run", "-f", file, "--registries", registriesFile(t, ""), "--builder", bk.Addr, "--var", "BASE="+baseImage)
	want := "hoist: " + file + ":12: steps.second.registry: unknown registry \"nope\" (known: a, b, secure)\n"
	if r.code != 2 || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want exit 2, %q", r.code, r.stderr, want)
	}
	if d := digestOf(t, regA.Host+"/team-a/e2e/first-of-two:v1", nil); d != "" {
		t.Errorf("the first step was pushed (%s) although the second is invalid", d)
	}
}

// TestCloneStepVariable: ${{main_clone}} names the repository's folder, as
// in Codefresh, though hoist skips the git-clone step itself.
func TestCloneStepVariable(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"app/Dockerfile": "FROM scratch\n",
		"codefresh.yml": `version: "1.0"
steps:
  main_clone:
    type: git-clone
    repo: acme/app
  app:
    type: build
    image_name: e2e/clone
    working_directory: ${{main_clone}}/app
    tag: v1
`,
	})
	r := mustHoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", planRegistriesFile(t, ""), "--dry-run")
	want := "step main_clone: skipped: git-clone steps are not run by hoist\nstep app: push to \"a\" (rule 5: the account's default registry)\n  " + planA + "/team-a/e2e/clone:v1\n"
	if r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
}

// TestWhenCondition: a step whose condition is false is skipped with the
// reason in the plan; one hoist cannot evaluate stops the run with its line.
func TestWhenCondition(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "FROM scratch\n",
		"codefresh.yml": `version: "1.0"
steps:
  release:
    type: build
    image_name: e2e/when
    when:
      condition:
        all:
          isRelease: '"${{CF_BRANCH}}" == "release"'
  always:
    type: build
    image_name: e2e/when
    tag: always
    when:
      condition:
        any:
          notSkipped: 'includes("${{CF_COMMIT_MESSAGE}}", "[skip]") == false'
`,
	})
	file := filepath.Join(dir, "codefresh.yml")
	r := mustHoist(t, "run", "-f", file, "--registries", planRegistriesFile(t, ""), "--dry-run", "--var", "CF_BRANCH=main", "--var", "CF_COMMIT_MESSAGE=fix")
	want := "step release: skipped: when.condition.all.isRelease is false\nstep always: push to \"a\" (rule 5: the account's default registry)\n  " + planA + "/team-a/e2e/when:always\n"
	if r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
	// A mistake in the expression itself is found when the file loads;
	// one in a variable's value when the step's turn comes, and the error
	// names the variable, not its value.
	bad := filepath.Join(writeFiles(t, map[string]string{"Dockerfile": "FROM scratch\n", "codefresh.yml": "steps:\n  a:\n    type: build\n    image_name: x\n    when:\n      condition:\n        all:\n          c: '${{CF_BRANCH}} == main'\n"}), "codefresh.yml")
	r = hoist(t, "run", "-f", bad, "--registries", planRegistriesFile(t, ""), "--dry-run", "--var", "CF_BRANCH=dev")
	wantErr := "hoist: " + bad + `:8:14: steps.a.when.condition.all.c: cannot evaluate "${{CF_BRANCH}} == main": unknown name "main" at 18 (strings need quotes)` + "\n"
	if r.code != 2 || r.stderr != wantErr {
		t.Errorf("exit %d, stderr %q; want exit 2, %q", r.code, r.stderr, wantErr)
	}
	bad = filepath.Join(writeFiles(t, map[string]string{"Dockerfile": "FROM scratch\n", "codefresh.yml": "steps:\n  a:\n    type: build\n    image_name: x\n    when:\n      condition:\n        all:\n          c: \"${{CF_BRANCH}} == 'main'\"\n"}), "codefresh.yml")
	r = hoist(t, "run", "-f", bad, "--registries", planRegistriesFile(t, ""), "--dry-run", "--var", "CF_BRANCH=dev")
	wantErr = "hoist: " + bad + `:8: steps.a.when.condition.all.c: cannot evaluate "${{CF_BRANCH}} == 'main'": the value of ${{CF_BRANCH}} is not a value hoist can compare (quote the variable to compare it as text: '${{CF_BRANCH}}') (values of CF_BRANCH not shown)` + "\n"
	if r.code != 2 || r.stderr != wantErr {
		t.Errorf("exit %d, stderr %q; want exit 2, %q", r.code, r.stderr, wantErr)
	}
}

// TestValidate prints every problem of a file at once, each with
// file:line:column, and exits 2; a good file is valid.
func TestValidate(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"bad.yml": `version: "1.0"
steps:
  one:
    type: build
    imagename: x
  two:
    type: push
    tag: v1
  group:
    type: parallel
    steps:
      three:
        type: build
        image_name: y
        no_cache: sometimes
  four:
    type: build
    image_name: z
`,
		"good.yml": "version: \"1.0\"\nsteps:\n  a:\n    type: build\n    image_name: x\n    when:\n      condition:\n        all:\n          c: \"'a' == 'a'\"\n",
	})
	bad := filepath.Join(dir, "bad.yml")
	r := hoist(t, "validate", "-f", bad)
	want := bad + ":5:5: steps.one.imagename: unknown field (did you mean image_name?)\n" +
		bad + ":7:5: steps.two.candidate: required for a push step\n" +
		bad + ":15:19: steps.group.steps.three.no_cache: must be true or false, got \"sometimes\"\n" +
		"hoist: " + bad + ": 3 problem(s)\n"
	if r.code != 2 || r.stderr != want {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 2, stderr:\n%s", r.code, r.stderr, want)
	}
	good := mustHoist(t, "validate", "-f", filepath.Join(dir, "good.yml"))
	if good.stdout != filepath.Join(dir, "good.yml")+": valid\n" {
		t.Errorf("stdout = %q", good.stdout)
	}
}
