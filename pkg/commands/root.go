package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/containerd/log"
	"github.com/spf13/cobra"

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
	root.AddCommand(newRunCmd(), newExplainCmd(), newValidateCmd(), newBuildCmd(), newPushCmd(), newTagCmd(), newPromoteCmd(), newAnnotateCmd(), newImagesCmd(), newRegistriesCmd(), newVersionCmd())
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
