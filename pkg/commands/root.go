package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/containerd/log"
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/distribute"
	"github.com/hoist-build/hoist/pkg/errs"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitFailed   = 1
	ExitBadInput = 2
)

// NewRoot returns the hoist command tree.
func NewRoot() *cobra.Command {
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
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return errs.Input("%v", err)
	})
	setVersion(root)
	root.AddCommand(newRunCmd(), newExplainCmd(), newValidateCmd(), newBuildCmd(), newPushCmd(), newTagCmd(), newPromoteCmd(), newAnnotateCmd(), newImagesCmd(), newRegistriesCmd(), newStoreCmd(), newVersionCmd())
	argsAreInput(root)
	return root
}

// argsAreInput makes a wrong number of arguments, on cmd and every command
// under it, bad input (exit 2) naming the command and its usage; so is an
// unknown command (a command that holds others, given none, prints its
// help). An extra argument KEY=VALUE is most often the value of a flag
// whose value is optional, which pflag takes only after =
// (--provenance=mode=max).
func argsAreInput(cmd *cobra.Command) {
	if cmd.HasSubCommands() && !cmd.Runnable() {
		cmd.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
		cmd.Args = func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return errs.Input("unknown command %q for %s (%s --help lists the commands)", args[0], c.CommandPath(), c.CommandPath())
			}
			return nil
		}
	} else if check := cmd.Args; check != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			err := check(c, args)
			if err == nil {
				return nil
			}
			hint := ""
			for _, a := range args {
				if strings.Contains(a, "=") && !strings.Contains(a, "/") {
					hint = fmt.Sprintf("; is %s a flag's value? a flag whose value is optional (--provenance, --sbom) takes it after =, e.g. --provenance=mode=max", a)
					break
				}
			}
			return errs.Input("%s: %v (usage: %s)%s", strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" "), err, c.UseLine(), hint)
		}
	}
	for _, sub := range cmd.Commands() {
		argsAreInput(sub)
	}
}

// Execute runs the command tree with args and returns the exit code. Once
// ctx is cancelled with a *Stopped cause (a signal), the code is the
// signal's (130, 143) whatever the command returned, and an error that
// only says the work was cancelled is not printed.
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
	var stopped *Stopped
	if errors.As(context.Cause(ctx), &stopped) {
		if err != nil && !cancelled(err) {
			fmt.Fprintf(stderr, "hoist: %v\n", oneLine(err))
		}
		return stopped.ExitCode()
	}
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(stderr, "hoist: %v\n", oneLine(err))
	if errors.Is(err, errs.ErrInput) {
		return ExitBadInput
	}
	return ExitFailed
}

// cancelled reports whether err only says that the work was cancelled;
// BuildKit's gRPC errors carry that as text.
func cancelled(err error) bool {
	if errors.Is(err, distribute.ErrIncomplete) {
		return false // it says which targets and tags were put back
	}
	var stopped *Stopped
	return errors.Is(err, context.Canceled) || errors.As(err, &stopped) || strings.Contains(err.Error(), "context canceled")
}

// oneLine keeps an error to one line: BuildKit's errors can hold newlines.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " ")), " ")
}
