package files

import (
	"os"
	"path/filepath"
)

// WriteAtomic writes data to path with permissions perm, atomically: it
// writes a temporary file next to path and renames it in place, so a
// reader never sees a half-written file, and a failed write leaves the
// old file (or none) behind.
func WriteAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
