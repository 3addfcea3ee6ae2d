package commands

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/progress"
)

// buildOptions are hoist build's own flags: one build step given on the
// command line.
type buildOptions struct {
	imageName   string
	tags        []string
	registries  []string
	noPush      bool
	dockerfile  string
	platforms   []string
	buildArgs   []string
	target      string
	noCache     bool
	labels      []string
	secrets     []string
	annotations []string
	ssh         []string
	dryRun      bool
	attest      attestOptions
	buildx      buildxFlags
	// outputs are --output, --cache-from and --cache-to.
	outputs buildOutputs
	// read is what -t says, once Validate has read it.
	read buildTags
}

func newBuildCmd() *cobra.Command {
	f := &buildOptions{}
	o := newRunOptions()
	o.single = &singleBuild{}
	cmd := &cobra.Command{
		Use:   "build [CONTEXT]",
		Short: "Build one image from flags and push it under the auto-push policy",
		Example: `  hoist build . --image-name acme/app --tag dev
  hoist build ./api --image-name acme/api --tag 1.2 --registry prod --registry mirror
  hoist build . --image-name acme/app --no-push`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.outputs.validate(f.noPush, o.single.quiet, cmd.OutOrStdout()); err != nil {
				return err
			}
			if err := f.Validate(); err != nil {
				return err
			}
			if err := o.validate(); err != nil {
				return err
			}
			if o.single.quiet {
				o.builder.Mode = progress.ModeQuiet
			}
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			dir, cleanup, err := f.stdin(cmd.InOrStdin(), dir)
			if err != nil {
				return err
			}
			defer cleanup()
			p, err := f.pipeline(dir)
			if err != nil {
				return err
			}
			opts, err := o.options(cmd.Context())
			if err != nil {
				return err
			}
			opts.StepRegistries = f.registries
			f.runOptions(&opts, cmd.OutOrStdout())
			return o.execute(cmd, p, opts, f.dryRun)
		},
	}
	f.AddFlags(cmd)
	o.single.addFlags(cmd)
	o.addFlags(cmd)
	o.builder.AddFlags(cmd)
	o.retry.AddFlags(cmd)
	acceptCodefreshNames(cmd)
	return cmd
}

// AddFlags adds the build step's flags to cmd. Where push, promote or
// images have a flag of the same name that means something else, the
// environment variable carries the command's name.
func (f *buildOptions) AddFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.imageName, "image-name", "", "image name, e.g. acme/app (required)")
	env(fl, "image-name", "HOIST_BUILD_IMAGE_NAME")
	retired(fl, "image-name", "HOIST_IMAGE_NAME")
	fl.StringArrayVarP(&f.tags, "tag", "t", nil, "tag (repeatable; default: the normalized branch, or latest)")
	env(fl, "tag", "HOIST_BUILD_TAG")
	retired(fl, "tag", "HOIST_TAG")
	fl.StringArrayVar(&f.registries, "registry", nil, "registry integration to push to (repeatable; default: the auto-push policy)")
	env(fl, "registry", "HOIST_BUILD_REGISTRY")
	retired(fl, "registry", "HOIST_REGISTRY")
	fl.BoolVar(&f.noPush, "no-push", false, "build without pushing (disable_push)")
	env(fl, "no-push", "HOIST_NO_PUSH")
	fl.StringVarP(&f.dockerfile, "file", "f", "", "Dockerfile path, relative to the current folder as in buildx (default: CONTEXT/Dockerfile)")
	env(fl, "file", "HOIST_DOCKERFILE")
	retired(fl, "file", "HOIST_FILE")
	fl.StringArrayVar(&f.buildArgs, "build-arg", nil, "build argument KEY=VALUE (repeatable)")
	envPairs(fl, "build-arg")
	env(fl, "build-arg", "HOIST_BUILD_ARG")
	fl.StringVar(&f.target, "target", "", "build stage to build")
	env(fl, "target", "HOIST_TARGET")
	fl.StringArrayVar(&f.platforms, "platform", nil, "target platform (repeatable, or comma separated), e.g. linux/amd64,linux/arm64")
	env(fl, "platform", "HOIST_PLATFORM")
	addNoCacheFlag(cmd, &f.noCache)
	fl.StringArrayVar(&f.labels, "label", nil, "image label KEY=VALUE (repeatable)")
	fl.StringArrayVar(&f.annotations, "annotation", nil, "OCI annotation [TYPE:]KEY=VALUE, TYPE manifest (default), index, manifest-descriptor or index-descriptor, as buildx (repeatable)")
	envPairs(fl, "annotation")
	env(fl, "annotation", "HOIST_ANNOTATION")
	fl.StringArrayVar(&f.secrets, "secret", nil, "build secret for RUN --mount=type=secret: id=NAME,src=FILE or id=NAME,env=VAR (repeatable)")
	envItems(fl, "secret") // id=x,src=file holds a comma
	env(fl, "secret", "HOIST_SECRET")
	fl.StringArrayVar(&f.ssh, "ssh", nil, "SSH agent or keys to forward for RUN --mount=type=ssh: default or ID=PATH (repeatable)")
	envItems(fl, "ssh") // ID=KEY1,KEY2 holds a comma
	env(fl, "ssh", "HOIST_SSH")
	envPairs(fl, "label")
	env(fl, "label", "HOIST_LABEL")
	f.attest.AddFlags(cmd)
	f.buildx.addFlags(cmd)
	f.outputs.addFlags(cmd)
	addDryRunFlag(cmd, &f.dryRun)
}

// Validate checks that the step has an image name and does not both skip
// the push and name registries.
func (f *buildOptions) Validate() error {
	// A registry host first: 127.0.0.1:5000/x is that mistake, not a bad
	// name component.
	if host, ok := registryHost(f.imageName); ok {
		return errs.Input("--image-name %s: names the registry %s; give the image name without it (the registry comes from --registry or the auto-push policy), or the full reference with -t", f.imageName, host)
	}
	if err := pipeline.CheckImageName(f.imageName); f.imageName != "" && err != nil {
		return errs.Input("--image-name: %v", err)
	}
	var err error
	if f.read, err = readTags(f.imageName, append(f.tags, f.outputs.names()...), f.registries); err != nil {
		return err
	}
	if _, err := build.ParseAnnotations(f.annotations); err != nil {
		return errs.Input("--annotation: %w", err)
	}
	for _, l := range []struct {
		flag  string
		items []string
	}{{"--build-arg", f.buildArgs}, {"--label", f.labels}} {
		for _, kv := range l.items {
			if k, _, _ := strings.Cut(kv, "="); strings.TrimSpace(k) == "" {
				return errs.Input("%s %q: want KEY=VALUE, the key not empty", l.flag, kv)
			}
		}
	}
	if err := f.attest.Validate(); err != nil {
		return err
	}
	if err := f.buildx.validate(); err != nil {
		return err
	}
	if f.noPush && len(f.registries) > 0 {
		return errs.Input("--no-push and --registry exclude each other")
	}
	return nil
}

// registryHost reports whether an image name starts with a registry host,
// as docker tells one: a first component with a dot or a port, or
// localhost.
func registryHost(image string) (string, bool) {
	first, _, ok := strings.Cut(image, "/")
	if !ok {
		return "", false
	}
	return first, strings.ContainsAny(first, ".:") || first == "localhost"
}

// buildArgs gives each --build-arg KEY without a value its value from the
// environment, as docker build and buildx do; a KEY that is not set there
// is left out.
func buildArgs(in []string) []string {
	var out []string
	for _, a := range in {
		if strings.Contains(a, "=") {
			out = append(out, a)
		} else if v, ok := os.LookupEnv(a); ok {
			out = append(out, a+"="+v)
		}
	}
	return out
}

// pipeline turns the flags into a one-step pipeline, so hoist build and
// hoist run share one path.
func (f *buildOptions) pipeline(dir string) (*pipeline.Pipeline, error) {
	remote := ""
	if build.IsGitURL(dir) {
		remote, dir = dir, "."
	} else if strings.Contains(dir, "://") {
		return nil, errs.Input("build context %s: want a folder, - (a tar on stdin) or a git URL such as https://host/repo.git#ref:subdir", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, errs.Input("build context %s: %v", dir, err)
	}
	flags, err := f.buildx.flags(remote)
	if err != nil {
		return nil, err
	}
	dockerfile := f.dockerfile
	if dockerfile != "" && remote == "" && !filepath.IsAbs(dockerfile) {
		// As buildx: -f is relative to the current folder, not the context
		// (in a git URL context, it is a path in the repository).
		if dockerfile, err = filepath.Abs(dockerfile); err != nil {
			return nil, errs.Input("-f %s: %w", f.dockerfile, err)
		}
	}
	b := &pipeline.BuildStep{
		ImageName:  f.read.image,
		Dockerfile: dockerfile,
		// The Dockerfile read from stdin, if any.
		DockerfileContent: f.buildx.dockerfileContent,
		// Named on the command line: the user may build any file.
		DockerfileAnywhere: true,
		DisablePush:        f.noPush || f.outputs.noPush(),
		NoCache:            f.noCache,
		BuildArguments:     buildArgs(f.buildArgs),
		Target:             f.target,
		Platform:           strings.Join(f.platforms, ","),
		Metadata:           f.labels,
		Secrets:            absSecrets(f.secrets),
		Annotations:        f.annotations,
		SSH:                f.ssh,
		Attests:            f.attest.entries(),
		Flags:              flags,
		CacheFrom:          absCaches(f.outputs.cacheFrom),
		CacheTo:            absCaches(f.outputs.cacheTo),
		Lines:              map[string]int{},
	}
	if tags := f.read.tags; len(tags) > 0 {
		b.Tag, b.Tags = tags[0], tags[1:]
	}
	return &pipeline.Pipeline{
		File:  "command line",
		Dir:   abs,
		Steps: []*pipeline.Step{{Name: "build", Type: pipeline.TypeBuild, Build: b}},
	}, nil
}

// absSecrets makes each secret's src absolute from the current folder, as
// buildx reads it.
func absSecrets(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		fields := strings.Split(s, ",")
		for j, f := range fields {
			if k, v, ok := strings.Cut(f, "="); ok && (k == "src" || k == "source") && !filepath.IsAbs(v) {
				if abs, err := filepath.Abs(v); err == nil {
					fields[j] = k + "=" + abs
				}
			}
		}
		out[i] = strings.Join(fields, ",")
	}
	return out
}
