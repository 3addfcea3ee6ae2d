package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInvalidFiles loads every file in testdata/invalid and compares the
// problems it reports with the .want file beside it, line by line.
func TestInvalidFiles(t *testing.T) {
	files, err := filepath.Glob("../../testdata/invalid/*.yml")
	if err != nil || len(files) < 30 {
		t.Fatalf("want at least 30 invalid files, found %d (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(f, ".yml") + ".want")
			if err != nil {
				t.Fatal(err)
			}
			_, lerr := LoadFile(f)
			if lerr == nil {
				t.Fatal("LoadFile() = nil error")
			}
			var got []string
			for _, p := range Problems(lerr) {
				got = append(got, strings.ReplaceAll(p.Error(), f, filepath.Base(f)))
			}
			if g, w := strings.Join(got, "\n"), strings.TrimSpace(string(want)); g != w {
				t.Errorf("problems:\n%s\nwant:\n%s", g, w)
			}
		})
	}
}
