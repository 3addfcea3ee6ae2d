// Command hoist builds container images through BuildKit and pushes them
// where a codefresh.yml pipeline and the account's registries say.
package main

import (
	"os"

	"github.com/hoist-build/hoist/pkg/commands"
)

// main leaves signals to commands.Main: the first SIGINT or SIGTERM stops
// the command cleanly, a second exits at once.
func main() {
	os.Exit(commands.Main(os.Args[1:], os.Stdout, os.Stderr))
}
