package commands

import (
	"path/filepath"
	"testing"
)

// TestMistakeBeforeBuilder: a mistake in the pipeline is reported (exit 2,
// its line) before hoist reaches for BuildKit, so an unreachable builder
// never hides it; with no mistake, the unreachable builder is exit 1 with
// its cause.
func TestMistakeBeforeBuilder(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"bad.yml":    "version: '1.0'\nsteps:\n  app:\n    type: build\n    image_name: app\n    registry: nope\n",
		"good.yml":   "version: '1.0'\nsteps:\n  app:\n    type: build\n    image_name: app\n    disable_push: true\n",
		"Dockerfile": "FROM scratch\n",
	})
	regs := planRegistriesFile(t, "")
	builder := "unix://" + filepath.Join(dir, "no-such.sock")

	bad := hoist(t, "run", "-f", filepath.Join(dir, "bad.yml"), "--registries", regs, "--builder", builder, "--progress", "quiet")
	want := "hoist: " + filepath.Join(dir, "bad.yml") + `:6: steps.app.registry: unknown registry "nope" (known: a, b, secure)` + "\n"
	if bad.code != 2 || bad.stderr != want {
		t.Errorf("bad pipeline, no builder: exit %d, stderr %q; want exit 2, %q", bad.code, bad.stderr, want)
	}
	good := hoist(t, "run", "-f", filepath.Join(dir, "good.yml"), "--registries", regs, "--builder", builder, "--progress", "quiet")
	wantPrefix := "hoist: builder " + builder + " is not reachable: "
	if good.code != 1 || len(good.stderr) <= len(wantPrefix) || good.stderr[:len(wantPrefix)] != wantPrefix {
		t.Errorf("good pipeline, no builder: exit %d, stderr %q; want exit 1, %q and its cause", good.code, good.stderr, wantPrefix)
	}
}
