package files

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteAtomic: the file holds the bytes with the permissions asked,
// an existing file is replaced, no temporary file is left, and a write
// into a missing folder fails leaving nothing.
func TestWriteAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "iid")
	for _, data := range []string{"sha256:1", "sha256:22"} {
		if err := WriteAtomic(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != data {
			t.Errorf("WriteAtomic(%q): file holds %q, %v", data, b, err)
		}
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, %v; want 0644", st.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want only iid", len(entries))
	}
	if err := WriteAtomic(filepath.Join(dir, "none", "iid"), []byte("x"), 0o644); err == nil {
		t.Error("WriteAtomic into a missing folder succeeded")
	}
}
