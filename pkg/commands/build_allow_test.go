package commands

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// capEff reads the CapEff line of a /proc/PID/status.
var capEff = regexp.MustCompile(`CapEff:\s*([0-9a-f]+)`)

// TestBuildAllowInsecure: with --allow security.insecure, a RUN
// --security=insecure step runs with every capability (those of root on
// this host) on hoist's own local builder, which allows the entitlement;
// a RUN without it keeps BuildKit's smaller default set. A builder that
// does not allow the entitlement refuses the build, and the error says how
// to allow it.
func TestBuildAllowInsecure(t *testing.T) {
	needStack(t)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	host := capEff.FindStringSubmatch(string(status))
	if host == nil || os.Geteuid() != 0 {
		t.Fatal("this test runs as root, as the stack does")
	}
	df := "ARG BASE\nFROM ${BASE}\nRUN --security=insecure grep CapEff /proc/self/status > /insecure\nRUN grep CapEff /proc/self/status > /sandbox\n"
	dir := writeFiles(t, map[string]string{"Dockerfile": df})
	args := []string{"build", dir, "--image-name", "ctx/insecure", "--tag", "v1", "--registry", "a", "--build-arg", "BASE=" + baseImage,
		"--registries", registriesFile(t, ""), "--progress", "quiet", "--allow", "security.insecure"}

	r := hoist(t, append(args, "--builder", bk.Addr)...)
	if r.code != 1 || !strings.Contains(r.stderr, "security.insecure is not allowed by build daemon configuration") || !strings.Contains(r.stderr, "--allow-insecure-entitlement") {
		t.Errorf("--allow security.insecure on a builder without it: exit %d, stderr %q", r.code, r.stderr)
	}

	t.Setenv("HOIST_BUILDKIT_STATE", t.TempDir())
	mustHoist(t, args...) // hoist's own local builder
	img := image(t, regA.Host+"/team-a/ctx/insecure:v1")
	insecure := capEff.FindStringSubmatch(fileOr(t, img, "insecure"))
	sandbox := capEff.FindStringSubmatch(fileOr(t, img, "sandbox"))
	if insecure == nil || insecure[1] != host[1] {
		t.Errorf("RUN --security=insecure: CapEff %v, want the host's %s", insecure, host[1])
	}
	if sandbox == nil || sandbox[1] == host[1] {
		t.Errorf("RUN without --security=insecure: CapEff %v, want fewer than the host's %s", sandbox, host[1])
	}
}
