package commands

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/distribute"
	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/registries"
	"github.com/hoist-build/hoist/pkg/runner"
)

// copyOptions are the flags push, tag and promote share.
type copyOptions struct {
	registries RegistriesOptions
	metadata   MetadataOptions
}

// addFlags adds --registries and --metadata-file to cmd.
func (o *copyOptions) addFlags(cmd *cobra.Command) {
	o.registries.AddFlags(cmd)
	o.metadata.AddFlags(cmd)
}

// validate checks the options.
func (o *copyOptions) validate() error {
	if err := o.registries.Validate(); err != nil {
		return err
	}
	return o.metadata.Validate()
}

// openSource parses and reads the source image of push, tag and promote.
func openSource(ctx context.Context, loc distribute.Locator, ref string, notice io.Writer) (*distribute.Source, name.Reference, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, nil, errs.Input("%s: not an image reference: %v", ref, err)
	}
	src, err := loc.Open(ctx, r, notice)
	return src, r, err
}

// copyAndReport copies src to the targets, prints one line per target on
// stdout, and writes the metadata file when asked.
func (o *copyOptions) copyAndReport(ctx context.Context, out io.Writer, src *distribute.Source, targets []distribute.Target) error {
	results, err := distribute.Copy(ctx, src, targets)
	for _, r := range results {
		fmt.Fprintln(out, r)
	}
	if o.metadata.File != "" {
		if werr := runner.WriteJSON(o.metadata.File, struct {
			Source  string               `json:"source"`
			Digest  string               `json:"digest"`
			Targets []*distribute.Result `json:"targets"`
		}{src.Ref, src.Digest.String(), results}); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// integrationTargets returns one target per named integration, for the
// image name (default: the source's, without its integration's prefix).
func integrationTargets(loc distribute.Locator, src name.Reference, flag string, names []string, imageName string, tags []string) ([]distribute.Target, error) {
	if imageName == "" {
		imageName = src.Context().RepositoryStr()
		if i := loc.Integration(src.Context()); i != nil {
			imageName = i.ImageName(imageName)
		}
	}
	var targets []distribute.Target
	for _, n := range names {
		r, ok := loc.Config.Get(n)
		if !ok {
			return nil, errs.Input("%s %s: unknown registry (known: %s)", flag, n, knownNames(loc.Config))
		}
		repo, err := r.Repository(imageName)
		if err != nil {
			return nil, errs.Input("%v", err)
		}
		t, err := loc.Target(repo, tags)
		if err != nil {
			return nil, err
		}
		t.Registry = r.Name
		targets = append(targets, t)
	}
	return targets, nil
}

func knownNames(cfg *registries.Config) string {
	if names := cfg.Names(); len(names) > 0 {
		return strings.Join(names, ", ")
	}
	return "none are configured"
}
