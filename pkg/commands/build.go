package commands

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

// buildFlags are hoist build's own flags: one build step given on the
// command line.
type buildFlags struct {
	imageName  string
	tags       []string
	registries []string
	noPush     bool
	dockerfile string
	buildArgs  []string
	target     string
	platform   string
	noCache    bool
	labels     []string
	dryRun     bool
}

func newBuildCmd(g *globals) *cobra.Command {
	f := &buildFlags{}
	cmd := &cobra.Command{
		Use:   "build [CONTEXT]",
		Short: "Build one image from flags and push it under the auto-push policy",
		Example: `  hoist build . --image-name acme/app --tag dev
  hoist build ./api --image-name acme/api --tag 1.2 --registry prod --registry mirror
  hoist build . --image-name acme/app --no-push`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			p, err := f.pipeline(dir)
			if err != nil {
				return err
			}
			opts, err := g.options()
			if err != nil {
				return err
			}
			opts.StepRegistries = f.registries
			return g.execute(cmd, p, opts, f.dryRun)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.imageName, "image-name", "", "image name, e.g. acme/app (required)")
	fl.StringArrayVarP(&f.tags, "tag", "t", nil, "tag (repeatable; default: the normalized branch, or latest)")
	fl.StringArrayVar(&f.registries, "registry", nil, "registry integration to push to (repeatable; default: the auto-push policy)")
	fl.BoolVar(&f.noPush, "no-push", false, "build without pushing (disable_push)")
	fl.StringVarP(&f.dockerfile, "file", "f", "Dockerfile", "Dockerfile path, relative to CONTEXT")
	fl.StringArrayVar(&f.buildArgs, "build-arg", nil, "build argument KEY=VALUE (repeatable)")
	fl.StringVar(&f.target, "target", "", "build stage to build")
	fl.StringVar(&f.platform, "platform", "", "target platforms, comma separated, e.g. linux/amd64,linux/arm64")
	fl.BoolVar(&f.noCache, "no-cache", false, "do not use the build cache")
	fl.StringArrayVar(&f.labels, "label", nil, "image label KEY=VALUE (repeatable)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the plan without building or pushing")
	return cmd
}

// pipeline turns the flags into a one-step pipeline, so hoist build and
// hoist run share one path.
func (f *buildFlags) pipeline(dir string) (*pipeline.Pipeline, error) {
	if f.imageName == "" {
		return nil, errs.Input("--image-name: required")
	}
	if f.noPush && len(f.registries) > 0 {
		return nil, errs.Input("--no-push and --registry exclude each other")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, errs.Input("build context %s: %v", dir, err)
	}
	b := &pipeline.BuildStep{
		ImageName:      f.imageName,
		Dockerfile:     f.dockerfile,
		DisablePush:    f.noPush,
		NoCache:        f.noCache,
		BuildArguments: f.buildArgs,
		Target:         f.target,
		Platform:       f.platform,
		Metadata:       f.labels,
		Lines:          map[string]int{},
	}
	if len(f.tags) > 0 {
		b.Tag, b.Tags = f.tags[0], f.tags[1:]
	}
	return &pipeline.Pipeline{
		File:  "command line",
		Dir:   abs,
		Steps: []*pipeline.Step{{Name: "build", Type: pipeline.TypeBuild, Build: b}},
	}, nil
}
