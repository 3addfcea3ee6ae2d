package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadExports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, ExportsFile)
	// What cf_export VERSION=1.4.2 IMAGE=acme/app writes, a value a step
	// wrote itself with quotes, a later line over an earlier one, and the
	// second line of a multi-line value.
	text := "VERSION=1.0.0\nIMAGE=acme/app\n\n# a comment\nSTART_DATE=\"2026-11-23 10:00:00\"\nVERSION=1.4.2\nURL=http://x/?a=b\nNOTES=first line\nsecond line\n=nothing\nEMPTY=\r\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	vars, warnings := ReadExports(path)
	want := map[string]string{"VERSION": "1.4.2", "IMAGE": "acme/app", "START_DATE": "2026-11-23 10:00:00", "URL": "http://x/?a=b", "NOTES": "first line", "EMPTY": ""}
	if diff := cmp.Diff(want, vars); diff != "" {
		t.Errorf("ReadExports() vars (-want +got):\n%s", diff)
	}
	wantWarn := []string{
		"hoist: warning: " + path + ":9: not NAME=VALUE, so no variable is read from this line (a multi-line value? cf_export keeps one line: encode it, e.g. with base64)",
		"hoist: warning: " + path + ":10: not NAME=VALUE, so no variable is read from this line (a multi-line value? cf_export keeps one line: encode it, e.g. with base64)",
	}
	if diff := cmp.Diff(wantWarn, warnings); diff != "" {
		t.Errorf("ReadExports() warnings (-want +got):\n%s", diff)
	}
	if vars, warnings := ReadExports(filepath.Join(dir, "none")); vars != nil || warnings != nil {
		t.Errorf("ReadExports(missing) = %v, %v; want nothing", vars, warnings)
	}
	if _, warnings := ReadExports(dir); len(warnings) != 1 {
		t.Errorf("ReadExports(a folder) = %v, want one warning", warnings)
	}
}
