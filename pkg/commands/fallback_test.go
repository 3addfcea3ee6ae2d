package commands

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/stack"
)

// TestFallbackPulls: a base image whose registry is down (nothing listens)
// or answers 503 to everything is pulled from the integration's fallback,
// by tag or by digest, and the output says so; with no fallback the build
// fails with one line naming the image and the registry.
func TestFallbackPulls(t *testing.T) {
	needStack(t)
	sick := stack.StartProxy(regB.Host, func(*http.Request) int { return http.StatusServiceUnavailable })
	defer sick.Close()
	regs := registriesFile(t, `  - name: mirror
    domain: `+regA.Host+`
    insecure: true
  - name: down
    domain: 127.0.0.1:1
    fallback: mirror
  - name: sick
    domain: `+sick.Host+`
    insecure: true
    fallback: mirror
  - name: nofallback
    domain: 127.0.0.1:2
default: b
`)
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo fallback > /f.txt\n"})
	baseDigest := digestOf(t, baseImage, nil)
	build := func(base string) result {
		return hoist(t, "build", dir, "--image-name", "e2e/fallback", "--tag", "v1", "--build-arg", "BASE="+base,
			"--registries", regs, "--builder", bk.Addr, "--progress", "quiet")
	}
	for _, tc := range []struct {
		base, from, why string
	}{
		{"127.0.0.1:1/base/busybox:stable", regA.Host + "/base/busybox:stable", `registry "down" (127.0.0.1:1): not reachable:`},
		{sick.Host + "/base/busybox:stable", regA.Host + "/base/busybox:stable", `registry "sick" (` + sick.Host + `): HTTP 503 from the registry`},
		{"127.0.0.1:1/base/busybox@" + baseDigest, regA.Host + "/base/busybox@" + baseDigest, `registry "down" (127.0.0.1:1): not reachable:`},
	} {
		r := build(tc.base)
		if r.code != 0 {
			t.Errorf("FROM %s: exit %d\n%s%s", tc.base, r.code, r.stdout, r.stderr)
			continue
		}
		want := `  base image ` + tc.base + ` from fallback "mirror": ` + tc.from + ` (` + tc.why
		if !strings.Contains(r.stdout, want) {
			t.Errorf("FROM %s: stdout does not say %q:\n%s", tc.base, want, r.stdout)
		}
		if digestOf(t, regB.Host+"/team-b/e2e/fallback:v1", nil) == "" {
			t.Errorf("FROM %s: the image was not pushed", tc.base)
		}
	}

	// The same with the buildkitd hoist starts itself.
	t.Setenv("HOIST_BUILDKIT_STATE", t.TempDir())
	r := hoist(t, "build", dir, "--image-name", "e2e/fallback-local", "--tag", "v1", "--build-arg", "BASE=127.0.0.1:1/base/busybox:stable",
		"--registries", regs, "--progress", "quiet")
	if r.code != 0 || !strings.Contains(r.stdout, `  base image 127.0.0.1:1/base/busybox:stable from fallback "mirror"`) || !strings.Contains(r.stderr, "started a local buildkitd") {
		t.Errorf("daemonless build from a fallback: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}

	r = build("127.0.0.1:2/base/busybox:stable")
	want := `hoist: step build: image 127.0.0.1:2/base/busybox:stable: registry "nofallback" (127.0.0.1:2): not reachable:`
	if r.code != 1 || !strings.HasPrefix(r.stderr, want) || !strings.HasSuffix(r.stderr, "(no fallback configured)\n") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("no fallback: exit %d, stderr %q; want exit 1 and one line starting %q", r.code, r.stderr, want)
	}

	// A push's source follows the same rule.
	r = hoist(t, "push", "127.0.0.1:1/base/busybox:stable", "--registry", "b", "--image-name", "e2e/fallback-push", "--tag", "fb", "--registries", regs)
	if r.code != 0 || !strings.HasPrefix(r.stderr, `image 127.0.0.1:1/base/busybox:stable from fallback "mirror": `+regA.Host+"/base/busybox:stable (") {
		t.Errorf("push from a dead registry: exit %d, stderr %q", r.code, r.stderr)
	}
	if got := digestOf(t, regB.Host+"/team-b/e2e/fallback-push:fb", nil); got != baseDigest {
		t.Errorf("pushed %q, want the base image's %s", got, baseDigest)
	}

	missing := "127.0.0.1:1/base/busybox@sha256:" + strings.Repeat("0", 64)
	r = build(missing)
	want = `hoist: step build: image ` + missing + `: registry "down" (127.0.0.1:1): not reachable:`
	if r.code != 1 || !strings.HasPrefix(r.stderr, want) || !strings.Contains(r.stderr, `; fallback: registry "mirror" (`+regA.Host+`): HTTP 404 from the registry`) {
		t.Errorf("digest the fallback lacks: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestRegistriesCheck: one line per integration: reachable and logged in
// (and by which login path), anonymous, refused credentials, down; exit 1 when any failed.
func TestRegistriesCheck(t *testing.T) {
	needStack(t)
	t.Setenv("TEST_SECURE_PASSWORD", securePassword)
	t.Setenv("WRONG_PASSWORD", "nope-"+securePassword)
	regs := registriesFile(t, `  - name: wrong
    domain: `+regSecure.Host+`
    insecure: true
    prefix: other
    username: `+secureUser+`
    password_env: WRONG_PASSWORD
  - name: down
    domain: 127.0.0.1:1
    fallback: a
`)
	r := hoist(t, "registries", "check", "--registries", regs)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	want := []string{
		"a " + regA.Host + " ok: reachable, anonymous login: anonymous fallback: -",
		"b " + regB.Host + " ok: reachable, anonymous login: anonymous fallback: -",
		"secure " + regSecure.Host + " ok: reachable, logged in login: static fallback: -",
		"wrong " + regSecure.Host + " failed: authentication failed: the registry refused the username or password login: static fallback: -",
		"down 127.0.0.1:1 failed: not reachable:",
	}
	if len(lines) != len(want) {
		t.Fatalf("stdout has %d lines, want %d:\n%s", len(lines), len(want), r.stdout)
	}
	for i, w := range want {
		if got := strings.Join(strings.Fields(lines[i]), " "); !strings.HasPrefix(got, w) {
			t.Errorf("line %d = %q, want it to start %q", i+1, got, w)
		}
	}
	if !strings.HasSuffix(lines[4], "fallback: a") {
		t.Errorf("the down registry's line does not name its fallback: %q", lines[4])
	}
	if r.code != 1 || r.stderr != "hoist: 2 of 5 registries failed the check\n" {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, securePassword) {
		t.Error("output holds a password")
	}
}
