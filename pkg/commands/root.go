package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/containerd/log"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hoist-build/hoist/pkg/errs"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitFailed   = 1
	ExitBadInput = 2
)

// globals are the flags every command shares.
type globals struct {
	registries   string
	builder      string
	progress     string
	autoPush     string
	noAutoPush   bool
	vars         []string
	metadataFile string
}

// NewRoot returns the hoist command tree.
func NewRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "hoist",
		Short:         "Build images with BuildKit and push them where the pipeline says",
		Long:          "hoist builds the build steps of a codefresh.yml pipeline through BuildKit and pushes each image where the auto-push policy says.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return bindEnv(cmd)
		},
	}
	f := root.PersistentFlags()
	f.StringVar(&g.registries, "registries", "", "registry integrations file (default ~/.config/hoist/registries.yaml)")
	f.StringVar(&g.builder, "builder", "", "BuildKit address, e.g. unix:///run/buildkit/buildkitd.sock or tcp://host:1234 (default $BUILDKIT_HOST, else a local buildkitd)")
	f.StringVar(&g.progress, "progress", "auto", "progress display: auto, tty, plain, rawjson or quiet")
	f.StringVar(&g.autoPush, "auto-push-registry", "", "push every build step without its own registry here (the pipeline's auto-push registry)")
	f.BoolVar(&g.noAutoPush, "no-auto-push", false, "push no build step that names no registry")
	f.StringArrayVar(&g.vars, "var", nil, "set a pipeline variable, KEY=VALUE (repeatable)")
	f.StringVar(&g.metadataFile, "metadata-file", "", "write JSON about every step (references, digest, labels, status) to this file")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return errs.Input("%v", err)
	})
	root.AddCommand(newRunCmd(g), newExplainCmd(g), newValidateCmd(), newBuildCmd(g), newPushCmd(g), newTagCmd(g), newPromoteCmd(g), newImagesCmd(g), newRegistriesCmd(g), newVersionCmd())
	return root
}

// Execute runs the command tree with args and returns the exit code.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// The BuildKit and containerd libraries log through logrus; their
	// warnings (such as a file system without fs-verity) are not the user's
	// business. Errors reach the user as hoist's own one line.
	log.SetLevel("error")
	root := NewRoot()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(stderr, "hoist: %v\n", oneLine(err))
	if errors.Is(err, errs.ErrInput) {
		return ExitBadInput
	}
	return ExitFailed
}

// oneLine keeps an error to one line: BuildKit's errors can hold newlines.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " ")), " ")
}

// bindEnv fills every flag the user did not set from HOIST_<FLAG>, and the
// builder and progress flags also from BuildKit's own variables.
func bindEnv(cmd *cobra.Command) error {
	var err error
	set := func(fl *pflag.Flag, names ...string) {
		for _, n := range names {
			if v, ok := os.LookupEnv(n); ok && err == nil {
				if serr := fl.Value.Set(v); serr != nil {
					err = errs.Input("$%s: %v", n, serr)
				}
				fl.Changed = true
				return
			}
		}
	}
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Changed || fl.Name == "help" {
			return
		}
		names := []string{"HOIST_" + strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))}
		switch fl.Name {
		case "builder":
			names = append(names, "BUILDKIT_HOST")
		case "progress":
			names = append(names, "BUILDKIT_PROGRESS")
		}
		set(fl, names...)
	})
	return err
}
