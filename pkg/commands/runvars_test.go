package commands

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// varsPipeline tags its one build with variables; its image name takes
// another.
const varsPipeline = `version: "1.0"
steps:
  app:
    type: build
    image_name: acme/${{APP}}
    tag: ${{TAG}}
    tags:
      - ${{EXTRA}}
`

// TestRunVarFile: a variables file as codefresh run takes it (YAML or
// JSON, one named set or a flat mapping, {value, encrypted} entries)
// reaches the plan, and -v/--var/--variable win over its values.
func TestRunVarFile(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"Dockerfile":    "FROM scratch\n",
		"codefresh.yml": varsPipeline,
		"set.yml":       "build1:\n  APP: web\n  TAG: 'from-file'\n  EXTRA:\n    value: secret-ish\n    encrypted: true\n",
		"flat.yaml":     "APP: api\nTAG: 1.0\nEXTRA: null-is-not-empty\n",
		"vars.json":     `{"build1": {"APP": "json", "TAG": "j1", "EXTRA": {"val": "j2", "encrypted": false}}}`,
		"list.yml":      "- APP: listed\n  TAG: l1\n  EXTRA: l2\n",
	})
	file := filepath.Join(dir, "codefresh.yml")
	regs := planRegistriesFile(t, "default: a\n")
	plan := func(image string, tags ...string) string {
		out := "step app: push to \"a\" (rule 5: the account's default registry)\n"
		for _, tag := range tags {
			out += "  " + planA + "/team-a/acme/" + image + ":" + tag + "\n"
		}
		return out
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		// An encrypted value never shows: *** in its place.
		{[]string{"--var-file", filepath.Join(dir, "set.yml")}, plan("web", "from-file", "***")},
		{[]string{"--var-file", filepath.Join(dir, "flat.yaml")}, plan("api", "1.0", "null-is-not-empty")},
		{[]string{"--var-file", filepath.Join(dir, "vars.json")}, plan("json", "j1", "j2")},
		{[]string{"--variable-file", filepath.Join(dir, "list.yml")}, plan("listed", "l1", "l2")},
		{[]string{"--var-file", filepath.Join(dir, "set.yml"), "--var", "TAG=cli"}, plan("web", "cli", "***")},
		{[]string{"-v", "TAG=short", "--var-file", filepath.Join(dir, "set.yml"), "--variable", "EXTRA=long"}, plan("web", "short", "long")},
	} {
		args := append([]string{"run", "-f", file, "--registries", regs, "--dry-run"}, tc.args...)
		r := mustHoist(t, args...)
		if r.stdout != tc.want || r.stderr != "" {
			t.Errorf("hoist %s:\nstdout:\n%s\nwant:\n%s\nstderr %q", strings.Join(args, " "), r.stdout, tc.want, r.stderr)
		}
	}
	// Without the file's values the variables are undefined: the file is
	// what defined them.
	r := hoist(t, "run", "-f", file, "--registries", regs, "--dry-run", "--var", "TAG=x")
	if want := "hoist: " + file + ":5: steps.app.image_name: undefined variable ${{APP}}\n"; r.code != ExitBadInput || r.stderr != want {
		t.Errorf("without --var-file: exit %d, stderr %q; want exit 2, %q", r.code, r.stderr, want)
	}
}

// TestRunVarFileEncrypted: a variable the file marks encrypted, used as a
// build argument whose name does not look like a secret, builds with its
// value, which shows nowhere in hoist's output in any --progress mode:
// BuildKit's progress and hoist's own lines show *** in its place.
func TestRunVarFileEncrypted(t *testing.T) {
	needStack(t)
	const value = "enc-CANARY-51d2"
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\nARG GREETING\nRUN echo \"greeting $GREETING\" && printf %s \"$GREETING\" | sha256sum | cut -c1-64 > /greeting.sha\n",
		"codefresh.yml": "version: '1.0'\nsteps:\n  app:\n    type: build\n    image_name: enc/app\n    tag: v1\n    registry: a\n    no_cache: true\n" +
			"    build_arguments: ['BASE=${{BASE}}', 'GREETING=${{GREETING}}']\n",
		"vars.yml": "GREETING:\n  value: " + value + "\n  encrypted: true\n",
	})
	want, _ := exec.Command("sh", "-c", "printf %s '"+value+"' | sha256sum | cut -c1-64").Output()
	regs := registriesFile(t, "")
	for _, mode := range []string{"plain", "rawjson"} {
		r := mustHoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", regs, "--builder", bk.Addr,
			"--progress", mode, "--var", "BASE="+baseImage, "--var-file", filepath.Join(dir, "vars.yml"))
		if strings.Contains(r.stdout+r.stderr, value) {
			t.Errorf("--progress %s: the encrypted value shows in the output", mode)
		}
		if mode == "plain" && !strings.Contains(r.stderr, "greeting ***") {
			t.Errorf("--progress plain: no \"greeting ***\" in the build's log:\n%s", r.stderr)
		}
	}
	if got := fileIn(t, image(t, regA.Host+"/team-a/enc/app:v1"), "greeting.sha"); strings.TrimSpace(got) != strings.TrimSpace(string(want)) {
		t.Errorf("/greeting.sha = %q, want the value's hash %q: the build did not get the value", got, want)
	}
}

// TestRunVarFileBad: a variables file hoist cannot take is one line
// naming the file and line, exit 2; several sets are refused, named.
func TestRunVarFileBad(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"Dockerfile":    "FROM scratch\n",
		"codefresh.yml": varsPipeline,
		"two.yml":       "build1:\n  TAG: a\nbuild2:\n  TAG: b\n",
		"nested.yml":    "build1:\n  TAG:\n    - a\n",
		"scalar.yml":    "just text\n",
		"broken.json":   `{"build1": {"TAG": "a"}`,
	})
	file := filepath.Join(dir, "codefresh.yml")
	regs := planRegistriesFile(t, "default: a\n")
	for _, tc := range []struct {
		file, want string
	}{
		{"two.yml", "hoist: DIR/two.yml:4:3: 2 sets of variables (build1, build2): codefresh run starts one build for each, hoist runs the pipeline once; give a file with one set, or run hoist once for each\n"},
		{"nested.yml", "hoist: DIR/nested.yml:3:5: build1.TAG: want text, or a mapping with value: and encrypted:\n"},
		{"scalar.yml", "hoist: DIR/scalar.yml:1:1: want a mapping of variables (NAME: value), or sets of them, got \"just text\"\n"},
		{"broken.json", "hoist: DIR/broken.json:2: invalid YAML: did not find expected ',' or '}'\n"},
		{"missing.yml", "hoist: DIR/missing.yml: variables file not found\n"},
	} {
		for _, cmd := range [][]string{{"run", "--dry-run"}, {"explain"}, {"build", dir, "--image-name", "x", "--dry-run"}} {
			args := append(append(cmd, "--registries", regs, "--var-file", filepath.Join(dir, tc.file)), "-f", file)
			if cmd[0] == "build" {
				args = args[:len(args)-2]
			}
			r := hoist(t, args...)
			want := strings.ReplaceAll(tc.want, "DIR", dir)
			if r.code != ExitBadInput || r.stderr != want || r.stdout != "" {
				t.Errorf("hoist %s: exit %d, stdout %q, stderr %q; want exit 2, %q", strings.Join(args, " "), r.code, r.stdout, r.stderr, want)
			}
		}
	}
}

// TestRunBranchSHA: -b/--branch and -s/--sha name the branch and commit
// over the CI's variables: the default tag, the CF_* variables and the
// trace labels follow them; with the variable they set also given, the
// run stops.
func TestRunBranchSHA(t *testing.T) {
	t.Setenv("CF_BRANCH", "from-ci")
	t.Setenv("CF_BRANCH_TAG_NORMALIZED", "from-ci")
	t.Setenv("CF_REVISION", "1111111111111111111111111111111111111111")
	t.Setenv("CF_SHORT_REVISION", "1111111")
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "FROM scratch\n",
		"codefresh.yml": `version: "1.0"
steps:
  app:
    type: build
    image_name: acme/app
    tags:
      - ${{CF_SHORT_REVISION}}
      - ${{CF_BRANCH_TAG_NORMALIZED_LOWER_CASE}}-${{CF_REVISION}}
`,
	})
	file := filepath.Join(dir, "codefresh.yml")
	regs := planRegistriesFile(t, "default: a\n")
	meta := filepath.Join(t.TempDir(), "m.json")
	sha := "52b992e783d2f84dd0123c70ac8623b4f0f938d1"
	for _, flags := range [][]string{{"-b", "Feature/Login", "-s", sha}, {"--branch=Feature/Login", "--sha=" + strings.ToUpper(sha)}} {
		r := mustHoist(t, append([]string{"run", "-f", file, "--registries", regs, "--dry-run", "--metadata-file", meta}, flags...)...)
		want := "step app: push to \"a\" (rule 5: the account's default registry)\n" +
			"  " + planA + "/team-a/acme/app:feature_login\n" +
			"  " + planA + "/team-a/acme/app:52b992e\n" +
			"  " + planA + "/team-a/acme/app:feature_login-" + sha + "\n"
		if r.stdout != want || r.stderr != "" {
			t.Errorf("%v: stdout:\n%s\nwant:\n%s\nstderr %q", flags, r.stdout, want, r.stderr)
		}
		data, err := os.ReadFile(meta)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Steps []struct{ Labels map[string]string }
		}
		if err := json.Unmarshal(data, &m); err != nil || len(m.Steps) != 1 {
			t.Fatalf("metadata %s: %v", data, err)
		}
		got := map[string]string{}
		for _, k := range []string{"io.hoist.branch", "org.opencontainers.image.revision", "org.opencontainers.image.version"} {
			got[k] = m.Steps[0].Labels[k]
		}
		wantLabels := map[string]string{"io.hoist.branch": "Feature/Login", "org.opencontainers.image.revision": sha, "org.opencontainers.image.version": "feature_login"}
		if diff := cmp.Diff(wantLabels, got); diff != "" {
			t.Errorf("%v: labels (-want +got):\n%s", flags, diff)
		}
	}
	// From the environment.
	t.Setenv("HOIST_BRANCH", "env-branch")
	t.Setenv("HOIST_SHA", "abcdef0")
	r := mustHoist(t, "explain", "-f", file, "--registries", regs)
	if want := "  " + planA + "/team-a/acme/app:env-branch\n  " + planA + "/team-a/acme/app:abcdef0\n"; !strings.Contains(r.stdout, want) {
		t.Errorf("HOIST_BRANCH, HOIST_SHA: stdout:\n%s\nwant it to hold:\n%s", r.stdout, want)
	}
	// And over what an earlier step exported (cf_export CF_BRANCH=...).
	vol := writeFiles(t, map[string]string{"env_vars_to_export": "CF_BRANCH=exported\nCF_BRANCH_TAG_NORMALIZED=exported\nCF_SHORT_REVISION=9999999\n"})
	r = mustHoist(t, "explain", "-f", file, "--registries", regs, "--var", "CF_VOLUME_PATH="+vol)
	if want := "  " + planA + "/team-a/acme/app:env-branch\n  " + planA + "/team-a/acme/app:abcdef0\n"; !strings.Contains(r.stdout, want) {
		t.Errorf("-b and --sha over exported variables: stdout:\n%s\nwant it to hold:\n%s", r.stdout, want)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-b", "main", "--var", "CF_BRANCH=dev"}, "hoist: -b/--branch and the variable CF_BRANCH (from --var or --var-file) both name the branch; give one\n"},
		{[]string{"--sha", "abc1234", "-v", "CF_REVISION=abc1234"}, "hoist: -s/--sha and the variable CF_REVISION (from --var or --var-file) both name the commit; give one\n"},
		{[]string{"--sha", "HEAD"}, "hoist: --sha \"HEAD\": want a commit hash, 4 to 64 hexadecimal digits\n"},
	} {
		r := hoist(t, append([]string{"run", "-f", file, "--registries", regs, "--dry-run"}, tc.args...)...)
		if r.code != ExitBadInput || r.stderr != tc.want || r.stdout != "" {
			t.Errorf("hoist run %v: exit %d, stdout %q, stderr %q; want exit 2, %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
}

// TestRunSHANotHead: --sha with an abbreviated hash of an older commit
// labels the images with its full hash and its message, and says in one
// notice that the files built are the checkout's as they are.
func TestRunSHANotHead(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"Dockerfile":    "FROM scratch\n",
		"codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: acme/app\n    tag: ${{CF_REVISION}}\n    tags: ['${{CF_COMMIT_MESSAGE}}']\n",
	})
	git := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=Ada", "-c", "user.email=ada@example.com"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "older")
	old := git("rev-parse", "HEAD")
	git("commit", "-q", "--allow-empty", "-m", "newer")
	head := git("rev-parse", "HEAD")
	r := mustHoist(t, "explain", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", planRegistriesFile(t, "default: a\n"), "--sha", old[:8])
	want := "step app: push to \"a\" (rule 5: the account's default registry)\n  " + planA + "/team-a/acme/app:" + old + "\n  " + planA + "/team-a/acme/app:older\n"
	notice := "hoist: notice: --sha " + old[:8] + " is not the checkout's HEAD (" + head[:7] + "): images are labelled with " + old[:7] + ", and built from the files as they are\n"
	if r.stdout != want || r.stderr != notice {
		t.Errorf("stdout:\n%s\nwant:\n%s\nstderr %q, want %q", r.stdout, want, r.stderr, notice)
	}
}
