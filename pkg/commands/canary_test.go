package commands

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/stack"
)

// canary is a secret no output may show: it is an environment token that a
// condition uses, a build argument, a registry password and a line of a
// file a dockerfile: field points at.
const canary = "hoistCanary-7Qz81xv"

// canaryLogin is a docker config.json whose login holds the canary, the
// file the original report pointed a dockerfile: field at.
var canaryLogin = `{"auths":{"registry.example":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("bot:"+canary)) + `"}}}` + "\n"

// noCanary fails t when text shows the canary in any form: as written,
// in part, or base64-encoded as a docker login.
func noCanary(t *testing.T, where, text string) {
	t.Helper()
	login := base64.StdEncoding.EncodeToString([]byte("bot:" + canary))
	for _, form := range []string{canary, canary[:11], canary[6:], login[:12], login[len(login)-12:]} {
		if strings.Contains(text, form) {
			t.Errorf("%s shows the secret (%q):\n%s", where, form, text)
			return
		}
	}
}

// canaryPipelines are pipeline files, each placing the canary somewhere a
// run reads it; outside is a folder outside the pipeline's own.
func canaryPipelines(t *testing.T, base, registry string) (dir string) {
	t.Helper()
	outside := writeFiles(t, map[string]string{".docker/config.json": canaryLogin})
	const head = "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: canary/app\n    tag: v1\n    build_arguments:\n      - BASE=" // + base
	step := head + base + "\n      - NPM_TOKEN=${{CANARY_TOKEN}}\n    registry: " + registry + "\n"
	return writeFiles(t, map[string]string{
		"Dockerfile":  "ARG BASE\nFROM ${BASE}\nARG NPM_TOKEN\nRUN test -n \"$NPM_TOKEN\" && echo token is set\n",
		"config.json": canaryLogin,
		// A RUN that fails: BuildKit's error quotes the command, build
		// arguments expanded.
		"Dockerfile.fail": "ARG BASE\nFROM ${BASE}\nARG NPM_TOKEN\nRUN test -z \"$NPM_TOKEN\"\n",
		"fail.yml":        step + "    dockerfile: Dockerfile.fail\n",
		// Builds with the canary as a build argument, and pushes with the
		// canary as the step's password and the registry's.
		"build.yml": step + "  release:\n    type: push\n    candidate: ${{app}}\n    tag: v2\n    registry: " + registry + "\n" +
			"    credentials:\n      username: canary\n      password: ${{CANARY_PASSWORD}}\n",
		"cond-bare.yml":   step + "    when:\n      condition:\n        all:\n          c: \"${{CANARY_TOKEN}} == 'main'\"\n",
		"cond-string.yml": step + "    when:\n      condition:\n        all:\n          c: \"'${{CANARY_TOKEN}}' && true\"\n",
		"cond-regex.yml":  step + "    when:\n      condition:\n        any:\n          c: \"match('main', '${{CANARY_TOKEN}}(', true)\"\n",
		"cond-number.yml": step + "    when:\n      condition:\n        any:\n          c: \"lower('${{CANARY_TOKEN}}') > 3\"\n",
		"outside.yml":     step + "    dockerfile: " + filepath.Join(outside, ".docker", "config.json") + "\n",
		"var-outside.yml": step + "    dockerfile: ${{OUTSIDE}}\n",
		"not-df.yml":      step + "    dockerfile: config.json\n",
		"tag.yml":         step + "    tag: ${{CANARY_TOKEN}}:x\n",
		"image.yml":       strings.Replace(step, "canary/app", "canary/${{CANARY_TOKEN}}/../x", 1),
		"registry.yml":    strings.Replace(step, "registry: "+registry, "registry: ${{CANARY_TOKEN}}", 1),
	})
}

// canaryRegistries writes a registries file whose integration "canary"
// logs in with the canary (password_env), "wrong" with the canary and a
// suffix, and "inline" with the canary and another suffix written in the
// file; each has its own prefix, so their credentials stay apart.
func canaryRegistries(t *testing.T, host string) string {
	t.Helper()
	return filepath.Join(writeFiles(t, map[string]string{"registries.yaml": `registries:
  - name: canary
    domain: ` + host + `
    insecure: true
    prefix: ok
    username: canary
    password_env: CANARY_PASSWORD
  - name: wrong
    domain: ` + host + `
    insecure: true
    prefix: wrong
    username: canary
    password_env: CANARY_WRONG
  - name: inline
    domain: ` + host + `
    insecure: true
    prefix: inline
    username: canary
    password: ` + canary + `-inline
`}), "registries.yaml")
}

// setCanaryEnv puts the canary in the environment variables the pipelines
// and registries use.
func setCanaryEnv(t *testing.T, outside string) {
	t.Setenv("CANARY_TOKEN", canary)
	t.Setenv("CANARY_PASSWORD", canary)
	t.Setenv("CANARY_WRONG", canary+"-wrong")
	t.Setenv("OUTSIDE", outside)
}

// checkRun runs hoist and checks its stdout, stderr and metadata file for
// the canary, and its exit code.
func checkRun(t *testing.T, code int, args ...string) result {
	t.Helper()
	meta := filepath.Join(t.TempDir(), "metadata.json")
	if args[0] != "validate" {
		args = append(args, "--metadata-file", meta)
	}
	r := hoist(t, args...)
	name := strings.Join(args, " ")
	if r.code != code {
		t.Errorf("hoist %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", name, r.code, code, r.stdout, r.stderr)
	}
	noCanary(t, "stdout of hoist "+name, r.stdout)
	noCanary(t, "stderr of hoist "+name, r.stderr)
	if data, err := os.ReadFile(meta); err == nil {
		noCanary(t, "the metadata file of hoist "+name, string(data))
	}
	return r
}

// TestCanaryPlan: validate, explain and dry runs show the canary nowhere,
// whether the step plans or stops on a mistake. No servers are needed.
func TestCanaryPlan(t *testing.T) {
	outside := writeFiles(t, map[string]string{"config.json": canaryLogin})
	setCanaryEnv(t, filepath.Join(outside, "config.json"))
	dir := canaryPipelines(t, "127.0.0.1:5997/base/busybox:stable", "canary")
	regs := canaryRegistries(t, planA)
	for _, tc := range []struct {
		file     string
		validate int // validate's exit code; explain's is 2 unless planned
		planned  bool
	}{
		{"build.yml", 0, true},
		{"cond-bare.yml", 0, false},
		{"cond-string.yml", 0, false},
		{"cond-regex.yml", 0, false},
		{"cond-number.yml", 0, false},
		{"outside.yml", 2, false},
		{"var-outside.yml", 0, false},
		{"not-df.yml", 0, false},
		{"tag.yml", 0, false},
		{"image.yml", 0, false},
		{"registry.yml", 0, false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			file := filepath.Join(dir, tc.file)
			checkRun(t, tc.validate, "validate", "-f", file)
			want := 2
			if tc.planned {
				want = 0
			}
			r := checkRun(t, want, "explain", "-f", file, "--registries", regs)
			checkRun(t, want, "run", "--dry-run", "-f", file, "--registries", regs)
			if tc.planned && !strings.Contains(r.stderr, "build argument NPM_TOKEN looks like a secret") {
				t.Errorf("explain's stderr has no warning about NPM_TOKEN:\n%s", r.stderr)
			}
		})
	}
	t.Run("build", func(t *testing.T) {
		r := checkRun(t, 0, "build", dir, "--image-name", "canary/app", "--build-arg", "NPM_TOKEN="+canary, "--build-arg", "BASE=x", "--dry-run", "--registries", regs, "--registry", "inline")
		if !strings.Contains(r.stderr, "hoist: warning: step build: build argument NPM_TOKEN looks like a secret") {
			t.Errorf("stderr has no warning about NPM_TOKEN:\n%s", r.stderr)
		}
		checkRun(t, 2, "build", dir, "--image-name", "canary/app", "-f", filepath.Join(outside, "config.json"), "--dry-run", "--registries", regs)
	})
}

// TestCanaryRun: real runs, on the real stack, in every progress mode:
// a build with the canary as a build argument pushed with the canary as the
// password, a wrong password, a condition that fails on the canary's value,
// and a Dockerfile outside the repository. Neither stdout, stderr nor the
// metadata file shows the canary.
func TestCanaryRun(t *testing.T) {
	needStack(t)
	reg, err := stack.StartRegistry(stack.RegistryOptions{Username: "canary", Password: canary})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Stop)
	outside := writeFiles(t, map[string]string{"config.json": canaryLogin})
	setCanaryEnv(t, filepath.Join(outside, "config.json"))
	regs := canaryRegistries(t, reg.Host)
	ok := canaryPipelines(t, baseImage, "canary")
	wrong := canaryPipelines(t, baseImage, "wrong")
	for _, mode := range []string{"auto", "plain", "rawjson", "quiet", "tty"} {
		t.Run(mode, func(t *testing.T) {
			run := func(code int, args ...string) result {
				return checkRun(t, code, append(args, "--registries", regs, "--builder", bk.Addr, "--progress", mode)...)
			}
			r := run(0, "run", "-f", filepath.Join(ok, "build.yml"))
			if !strings.Contains(r.stdout, reg.Host+"/ok/canary/app:v2") {
				t.Errorf("the push step did not push:\n%s", r.stdout)
			}
			run(1, "run", "-f", filepath.Join(wrong, "build.yml"))
			run(1, "run", "-f", filepath.Join(ok, "fail.yml"))
			run(0, "build", ok, "--image-name", "canary/cli", "--build-arg", "BASE="+baseImage, "--build-arg", "NPM_TOKEN="+canary, "--registry", "canary")
			run(1, "build", ok, "--image-name", "canary/cli", "--build-arg", "BASE="+baseImage, "--build-arg", "NPM_TOKEN="+canary, "--registry", "inline")
			for _, f := range []string{"cond-bare.yml", "cond-string.yml", "cond-regex.yml", "cond-number.yml", "var-outside.yml", "not-df.yml", "tag.yml", "image.yml", "registry.yml"} {
				run(2, "run", "-f", filepath.Join(ok, f))
			}
		})
	}
}
