package commands

import (
	"encoding/json"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/pkg/version"
)

// TestVersionBinary: hoist version names the version, commit, build date, Go
// version and BuildKit client version, as text, as JSON and as --version.
// A test binary records no module versions, so the BuildKit client version
// is checked on a hoist binary built here, against what go.mod pins.
func TestVersionBinary(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a hoist binary: run without -short")
	}
	bin := hoistBinary(t)
	pinned, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/moby/buildkit").Output()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "version", "-o", "json").Output()
	if err != nil {
		t.Fatalf("hoist version -o json: %v", err)
	}
	var built version.Info
	if err := json.Unmarshal(out, &built); err != nil {
		t.Fatalf("version -o json = %q: %v", out, err)
	}
	want := version.Info{Version: binVersion, Commit: binCommit, Date: binDate, Go: runtime.Version(), BuildKit: strings.TrimSpace(string(pinned)), Platform: "linux/amd64"}
	if built != want {
		t.Errorf("built hoist version -o json = %+v, want %+v", built, want)
	}
	if line, _ := exec.Command(bin, "--version").Output(); string(line) != "hoist "+want.String()+"\n" {
		t.Errorf("built hoist --version = %q, want %q", line, "hoist "+want.String())
	}
}

// TestVersionOutput: the version command's forms, in-process.
func TestVersionOutput(t *testing.T) {
	t.Parallel()

	r := mustHoist(t, "version", "-o", "json")
	var got version.Info
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("version -o json = %q: %v", r.stdout, err)
	}
	text := mustHoist(t, "version").stdout
	for _, want := range []string{"hoist " + got.Version + "\n", "  go:              " + runtime.Version() + "\n", "  buildkit client: " + got.BuildKit + "\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("version = %q, lacks %q", text, want)
		}
	}
	if v := mustHoist(t, "--version").stdout; v != "hoist "+got.String()+"\n" {
		t.Errorf("--version = %q, want one line %q", v, "hoist "+got.String())
	}
	if bad := hoist(t, "version", "-o", "yaml"); bad.code != 2 || bad.stderr != "hoist: -o yaml: want text or json\n" {
		t.Errorf("version -o yaml: exit %d, stderr %q; want exit 2 and one line", bad.code, bad.stderr)
	}
}
