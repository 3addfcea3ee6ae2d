package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestVarFileInvalid loads every file in testdata/invalid/varfiles as a
// variables file and compares its one-line error with the .want file
// beside it.
func TestVarFileInvalid(t *testing.T) {
	files, err := filepath.Glob("../../testdata/invalid/varfiles/*.yml")
	if err != nil || len(files) < 8 {
		t.Fatalf("want at least 8 invalid variables files, found %d (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(f, ".yml") + ".want")
			if err != nil {
				t.Fatal(err)
			}
			vars, _, lerr := LoadVarFile(f)
			if lerr == nil {
				t.Fatalf("LoadVarFile() = %v, nil error", vars)
			}
			if g, w := strings.ReplaceAll(lerr.Error(), f, filepath.Base(f)), strings.TrimSpace(string(want)); g != w {
				t.Errorf("error:\n%s\nwant:\n%s", g, w)
			}
		})
	}
}

// TestVarFile: the shapes codefresh run's --var-file takes, and a flat
// mapping, give one set of variables as text.
func TestVarFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name, data string
		want       map[string]string
		encrypted  []string
	}{
		{"set.yml", "build1:\n  VAR1: 'VAL1'\n  VAR2:\n    value: VAL2\n    encrypted: true\n", map[string]string{"VAR1": "VAL1", "VAR2": "VAL2"}, []string{"VAR2"}},
		{"val.yml", "build1:\n  VAR1: 'VAL1'\n  VAR2:\n    val: VAL2\n    encrypted: true\n", map[string]string{"VAR1": "VAL1", "VAR2": "VAL2"}, []string{"VAR2"}},
		{"set.json", `{"build1": {"help6": "85858", "help7": {"value": "test", "encrypted": true}}}`, map[string]string{"help6": "85858", "help7": "test"}, []string{"help7"}},
		{"list.yml", "- A: 1\n  B: true\n", map[string]string{"A": "1", "B": "true"}, nil},
		{"flat.yml", "A: x\nB:\nC: {value: z, encrypted: false}\n", map[string]string{"A": "x", "B": "", "C": "z"}, nil},
		{"anchors.yml", "base: &b\n  A: x\n", map[string]string{"A": "x"}, nil},
	} {
		path := filepath.Join(dir, tc.name)
		if err := os.WriteFile(path, []byte(tc.data), 0o644); err != nil {
			t.Fatal(err)
		}
		got, encrypted, err := LoadVarFile(path)
		if err != nil {
			t.Errorf("LoadVarFile(%s): %v", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("LoadVarFile(%s) (-want +got):\n%s", tc.name, diff)
		}
		if diff := cmp.Diff(tc.encrypted, encrypted); diff != "" {
			t.Errorf("LoadVarFile(%s) encrypted (-want +got):\n%s", tc.name, diff)
		}
	}
}
