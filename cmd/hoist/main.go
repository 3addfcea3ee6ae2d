// Command hoist builds container images through BuildKit and pushes them
// where a codefresh.yml pipeline and the account's registries say.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/hoist-build/hoist/pkg/commands"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := commands.Execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
