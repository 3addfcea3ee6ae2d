package distribute

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hoist-build/hoist/pkg/registries"
)

// TargetIn returns a target for repo with tags, reached through the
// account: its transport (see Account.Transport), its integration's name
// when one holds repo, the account's credentials and retry policy.
func TargetIn(acct *registries.Account, repo name.Repository, tags []string) (Target, error) {
	tr, err := acct.Transport(repo)
	if err != nil {
		return Target{}, err
	}
	t := Target{Repo: repo, Tags: tags, Keychain: acct.Credentials, Transport: tr, Options: acct.Network.Options()}
	if c := acct.For(repo); c != nil {
		t.Registry = c.Integration.Name
	}
	return t, nil
}

// IntegrationTargets returns one target per integration client, for an
// image name and tags.
func IntegrationTargets(acct *registries.Account, clients []*registries.Client, image string, tags []string) ([]Target, error) {
	var targets []Target
	for _, c := range clients {
		repo, err := c.Repository(image)
		if err != nil {
			return nil, err
		}
		t, err := TargetIn(acct, repo, tags)
		if err != nil {
			return nil, err
		}
		t.Registry = c.Integration.Name
		targets = append(targets, t)
	}
	return targets, nil
}

// Open reads the image ref names from its registry or, when that registry
// fails and its integration has a fallback, from the fallback; notice
// receives one line saying so.
func Open(ctx context.Context, acct *registries.Account, ref name.Reference, notice io.Writer) (*Source, error) {
	pull, err := acct.ResolvePull(ctx, ref.String())
	if err != nil {
		return nil, err
	}
	from := ref
	if pull.Fallback != nil {
		if from, err = name.ParseReference(pull.From); err != nil {
			return nil, err
		}
		fmt.Fprintf(notice, "image %s from fallback %q: %s (%s)\n", ref, pull.Fallback.Name, pull.From, pull.Reason)
	}
	opts, err := acct.Options(ctx, from.Context())
	if err != nil {
		return nil, err
	}
	src, err := OpenRemote(ctx, from, opts...)
	if err == nil {
		return src, nil
	}
	if c := acct.For(from.Context()); c != nil {
		return nil, registries.Explain(c.Integration, err)
	}
	if errors.Is(err, registries.ErrPlainHTTP) {
		return nil, registries.Explain(nil, err) // the refusal names the host
	}
	return nil, err
}
