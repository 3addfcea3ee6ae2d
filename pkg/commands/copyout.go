package commands

import (
	"context"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/distribute"
	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/registries"
)

// copyOptions are the flags push, tag and promote share.
type copyOptions struct {
	registries RegistriesOptions
	metadata   MetadataOptions
	retry      RetryOptions
}

// addFlags adds --registries, --metadata-file, --retries and
// --retry-max-wait to cmd.
func (o *copyOptions) addFlags(cmd *cobra.Command) {
	o.registries.AddFlags(cmd)
	o.metadata.AddFlags(cmd)
	o.retry.AddFlags(cmd)
}

// validate checks the options.
func (o *copyOptions) validate() error {
	for _, v := range []interface{ Validate() error }{&o.registries, &o.metadata, &o.retry} {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// account loads the registries, with the retry options.
func (o *copyOptions) account(ctx context.Context) (*registries.Account, error) {
	acct, err := o.registries.Account(ctx)
	if err != nil {
		return nil, err
	}
	acct.Network = o.retry.Network()
	return acct, nil
}

// parseSource parses the source reference of push, tag and promote.
func parseSource(ref string) (name.Reference, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, errs.Input("%s: not an image reference: %w", ref, err)
	}
	return r, nil
}

// openImage reads the source image, and says in one warning line when the
// artifacts that refer to it (metadata, signatures) cannot be read, so
// they are not copied.
func openImage(ctx context.Context, acct *registries.Account, r name.Reference, notice io.Writer) (*distribute.Source, error) {
	src, err := distribute.Open(ctx, acct, r, notice)
	if err == nil && src.ReferrersErr != nil {
		fmt.Fprintf(notice, "hoist: warning: %v: the artifacts that refer to the image (metadata, signatures) are not copied\n", src.ReferrersErr)
	}
	return src, err
}

// publish writes src to the targets through the one publish path, prints
// one line per target on stdout, and writes the publish record to the
// metadata file when asked.
func (o *copyOptions) publish(ctx context.Context, out io.Writer, src *distribute.Source, targets []distribute.Target) error {
	var rec distribute.Recorder
	results, err := distribute.Recording(distribute.Registries(), &rec, nil).Publish(ctx, src, targets)
	for _, r := range results {
		fmt.Fprintln(out, r)
	}
	if o.metadata.File != "" {
		if werr := distribute.WriteMetadata(o.metadata.File, rec.Records()[0]); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// integrationTargets returns one target per named integration, for the
// image name (default: the source's, without its integration's prefix).
// Bad tags and repository names are input errors, found before anything
// is read or written.
func integrationTargets(acct *registries.Account, src name.Reference, flag string, names []string, imageName string, tags []string) ([]distribute.Target, error) {
	if imageName == "" {
		imageName = src.Context().RepositoryStr()
		if c := acct.For(src.Context()); c != nil {
			imageName = c.Integration.ImageName(imageName)
		}
	}
	var clients []*registries.Client
	for _, n := range names {
		c, err := acct.Get(n)
		if err != nil {
			return nil, errs.Input("%s: %w", flag, err)
		}
		clients = append(clients, c)
	}
	for _, t := range tags {
		if err := distribute.CheckTag(t); err != nil {
			return nil, errs.Input("--tag: %w", err)
		}
	}
	targets, err := distribute.IntegrationTargets(acct, clients, imageName, tags)
	if err != nil {
		return nil, errs.Input("%w", err)
	}
	for _, t := range targets {
		if err := distribute.CheckRepository(t.Repo); err != nil {
			return nil, errs.Input("image name %q: %w", imageName, err)
		}
	}
	return targets, nil
}
