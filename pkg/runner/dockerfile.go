package runner

import (
	"errors"
	"fmt"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/files"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

// readDockerfile checks a build step's Dockerfile df before anything runs:
// unless anywhere is set (hoist build -f), it must lie inside the
// repository of the build context dir; it must be a regular file under
// the cap; and it must parse. No error quotes its text.
func readDockerfile(df, dir string, anywhere bool) error {
	if !anywhere {
		if err := pipeline.InsideRepository(df, dir); err != nil {
			return err
		}
	}
	text, err := files.Read(df, files.Dockerfile)
	var fe *files.Error
	switch {
	case errors.As(err, &fe):
		return err
	case err != nil:
		return fmt.Errorf("Dockerfile %s not found", df)
	}
	if err := build.CheckDockerfile(text); err != nil {
		return fmt.Errorf("Dockerfile %s: %w", df, err)
	}
	return nil
}
