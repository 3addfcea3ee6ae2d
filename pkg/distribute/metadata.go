package distribute

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// WriteMetadata writes v as JSON to path (the --metadata-file),
// atomically: a reader never sees a half-written file.
func WriteMetadata(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing metadata file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("writing metadata file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing metadata file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing metadata file: %w", err)
	}
	return nil
}
