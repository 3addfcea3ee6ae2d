package runner

import (
	"context"
	"errors"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/distribute"
)

// runBuild builds one step into the local store, then publishes it to the
// registries of its decision. While BuildKit builds, hoist logs in to every
// target registry and checks push access, so a wrong password ends the
// build at once with one clear line, at no cost to a good build.
func (pl *planner) runBuild(ctx context.Context, res *StepResult, ex Exec) error {
	if ex.Builder == nil {
		return errors.New("no BuildKit builder is connected")
	}
	req := res.Request
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	checked := make(chan error, 1)
	go func() { checked <- pl.checkTargets(ctx, res, ex, cancel) }()
	if err := build.Preflight(ctx, ex.Account, &req, res.Cache, res.CacheFrom, res.Name, ex.Out, ex.Log); err != nil {
		return err
	}
	req.LocalStore = ex.LocalStore
	if req.LocalStore == "" {
		tmp, err := os.MkdirTemp("", "hoist-store-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		req.LocalStore = tmp
	} else if !res.pushes() {
		res.LocalStore = req.LocalStore
	}
	req.Auth = ex.Account.Credentials.LookupScopes
	req.Progress = ex.Progress
	req.Stdout = pl.opts.OutputStdout
	req.CacheFrom = build.ReadyLocalImports(req.CacheFrom, func(msg string) {
		fmt.Fprintf(ex.Log, "hoist: warning: step %s: %s\n", res.Name, msg)
	})
	out, err := ex.Builder.Build(ctx, req)
	if cerr := <-checked; cerr != nil {
		return cerr
	}
	if err != nil {
		if berr := build.ExplainFailure(ctx, ex.Account, req); berr != nil {
			return berr
		}
		return err
	}
	res.Digest, res.ConfigDigest, res.Duration, res.Builder = out.Digest, out.ConfigDigest, out.Duration, out.Builder
	if out.Builder != "" {
		fmt.Fprintf(ex.Out, "  built on %s\n", out.Builder)
	}
	if !res.pushes() {
		return nil
	}
	h, err := v1.NewHash(res.Digest)
	if err != nil {
		return fmt.Errorf("the build returned no digest: %w", err)
	}
	src, err := distribute.OpenLayout(req.LocalStore, h)
	if err != nil {
		return err
	}
	return pl.publish(ctx, src, res, ex)
}

// checkTargets checks that every registry the build goes to takes pushes
// to its repository, all at once, and cancels the build when one does not.
func (pl *planner) checkTargets(ctx context.Context, res *StepResult, ex Exec, cancel context.CancelCauseFunc) error {
	if !res.pushes() {
		return nil
	}
	eg, ectx := errgroup.WithContext(ctx)
	for _, r := range res.Decision.Registries {
		eg.Go(func() error {
			c := ex.Account.Client(r)
			repo, err := c.Repository(res.Image)
			if err == nil {
				err = c.CheckPush(ectx, repo)
			}
			return err
		})
	}
	eg.Go(func() error { return checkExact(ectx, ex.Account, res.Exact) })
	err := eg.Wait()
	if err != nil {
		cancel(err)
	}
	return err
}

// runPush publishes a push step's source, by digest, to its registry.
func (pl *planner) runPush(ctx context.Context, res *StepResult, ex Exec) error {
	src, err := pl.pushSource(ctx, res.Push, ex)
	if err != nil {
		return err
	}
	res.Digest = src.Digest.String()
	return pl.publish(ctx, src, res, ex)
}

// publish writes src, by digest, to every registry of the step's decision
// under the step's image name and tags, and prints each target's outcome.
func (pl *planner) publish(ctx context.Context, src *distribute.Source, res *StepResult, ex Exec) error {
	targets, err := distribute.IntegrationTargets(ex.Account, clients(ex, res), res.Image, res.Tags)
	if err != nil {
		return err
	}
	if targets, err = exactTargets(ex.Account, targets, res.Exact); err != nil {
		return err
	}
	if p := res.Push; p != nil && p.Username != "" {
		for i := range targets {
			targets[i].Keychain = stepKeychain{host: targets[i].Repo.RegistryStr(), user: p.Username, pass: p.Password, next: ex.Account.Credentials}
		}
	}
	results, err := distribute.Showing(ex.Publisher, ex.Progress).Publish(ctx, src, targets)
	for _, r := range results {
		fmt.Fprintf(ex.Out, "  %s\n", r)
	}
	res.Pushed = results
	return err
}
