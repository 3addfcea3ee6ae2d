package commands

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/distribute"
	"github.com/hoist-build/hoist/pkg/files"
	"github.com/hoist-build/hoist/pkg/runner"
)

// singleBuild is how hoist build reports its one build as buildx does:
// --iidfile, --quiet, and buildx's keys in the metadata file.
type singleBuild struct {
	iidFile string
	quiet   bool
}

// addFlags adds --iidfile and --quiet to cmd.
func (s *singleBuild) addFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&s.iidFile, "iidfile", "", "write the image ID (the config digest; the index digest for several platforms) to this file")
	env(fs, "iidfile", "HOIST_IIDFILE")
	fs.BoolVarP(&s.quiet, "quiet", "q", false, "print only the image's digest on stdout")
	env(fs, "quiet", "HOIST_QUIET")
}

// imageID is what buildx calls the image ID: the config digest of a
// single-platform image, else the index digest.
func imageID(r runner.StepRecord) string {
	if r.ImageID != "" {
		return r.ImageID
	}
	return r.Digest
}

// buildRecord returns the build step's record.
func buildRecord(records []runner.StepRecord) (runner.StepRecord, bool) {
	for _, r := range records {
		if r.Step == "build" && r.Digest != "" {
			return r, true
		}
	}
	return runner.StepRecord{}, false
}

// report prints the digest (--quiet) and writes the image ID (--iidfile).
func (s *singleBuild) report(out io.Writer, records []runner.StepRecord) error {
	r, ok := buildRecord(records)
	if !ok {
		return nil
	}
	if s.quiet {
		fmt.Fprintln(out, r.Digest)
	}
	if s.iidFile != "" {
		if err := files.WriteAtomic(s.iidFile, []byte(imageID(r)), 0o644); err != nil {
			return fmt.Errorf("writing --iidfile: %w", err)
		}
	}
	return nil
}

// writeMetadata writes the --metadata-file: every step's record, and for
// hoist build also buildx's keys, so scripts written for buildx read it
// unchanged.
func (o *runOptions) writeMetadata(records []runner.StepRecord) error {
	if o.single == nil {
		return runner.WriteMetadata(o.metadata.File, records)
	}
	m := map[string]any{"steps": records}
	if r, ok := buildRecord(records); ok {
		m["containerimage.digest"] = r.Digest
		if r.ImageID != "" {
			m["containerimage.config.digest"] = r.ImageID
		}
		m["image.name"] = strings.Join(r.References, ",")
		m["buildx.build.ref"] = "hoist/" + r.Step + "/" + r.Labels["io.hoist.build-id"]
	}
	return distribute.WriteMetadata(o.metadata.File, m)
}
