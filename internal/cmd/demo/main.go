// Command demo runs the quickstart through the real stack: it starts two
// local registries (127.0.0.1:5000 open, 127.0.0.1:5001 with htpasswd),
// pushes a busybox base image, runs hoist on examples/quickstart with no
// builder given (so hoist starts its own buildkitd), and then shows with
// hoist images what each registry holds and which commit made it.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/hoist-build/hoist/internal/stack"
)

func main() {
	hoist := flag.String("hoist", "bin/hoist", "the hoist binary")
	flag.Parse()
	if err := run(*hoist); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		os.Exit(1)
	}
}

func run(hoist string) error {
	const user, password = "hoist", "demo-password"
	open, err := stack.StartRegistry(stack.RegistryOptions{Port: 5000})
	if err != nil {
		return err
	}
	defer open.Stop()
	secure, err := stack.StartRegistry(stack.RegistryOptions{Port: 5001, Username: user, Password: password})
	if err != nil {
		return err
	}
	defer secure.Stop()
	fmt.Printf("demo: registries on %s (open) and %s (htpasswd)\n", open.Host, secure.Host)
	base := open.Host + "/base/busybox:stable"
	if _, err := stack.PushBusybox(base, nil); err != nil {
		return err
	}
	fmt.Printf("demo: pushed the base image %s\n\n", base)

	args := []string{"run", "-f", "examples/quickstart/codefresh.yml", "--registries", "examples/quickstart/registries.yaml", "--progress", "plain"}
	fmt.Printf("$ HOIST_DEMO_PASSWORD=*** %s %s\n", hoist, strings.Join(args, " "))
	cmd := exec.Command(hoist, args...)
	cmd.Env = append(os.Environ(), "HOIST_DEMO_PASSWORD="+password, "BUILDKIT_HOST=", "HOIST_BUILDER=")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("hoist run: %w", err)
	}

	for _, args := range [][]string{
		{"registries", "check", "--registries", "examples/quickstart/registries.yaml"},
		{"images", "--registries", "examples/quickstart/registries.yaml"},
		{"images", "inspect", "quickstart/app:main", "--registries", "examples/quickstart/registries.yaml"},
	} {
		fmt.Printf("\n$ %s %s\n", hoist, strings.Join(args, " "))
		cmd := exec.Command(hoist, args...)
		cmd.Env = append(os.Environ(), "HOIST_DEMO_PASSWORD="+password)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("hoist %s: %w", args[0], err)
		}
	}
	return nil
}
