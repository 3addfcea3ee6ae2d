package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hoist-build/hoist/internal/stack"
	"github.com/hoist-build/hoist/pkg/build"
)

// benchDaemonless measures daemonless start-up: the same fully cached
// build and push through `hoist build` with no builder, where hoist starts
// buildkitd on its own (warm) state and stops it after, and with
// --builder on a running buildkitd.
func benchDaemonless(hoist string, runs int) error {
	if _, err := os.Stat(strings.TrimPrefix(build.DefaultAddr, "unix://")); err == nil {
		fmt.Printf("\ndaemonless start-up: not measured, a buildkitd listens at %s and hoist would use it\n", build.DefaultAddr)
		return nil
	}
	ctx := context.Background()
	bk, err := stack.StartBuildkitd(ctx)
	if err != nil {
		return err
	}
	defer bk.Stop()
	reg, base, dir, err := setup("hoist-bench-daemonless-", func(host string) map[string]string {
		return map[string]string{
			"Dockerfile":      "ARG BASE\nFROM ${BASE}\nRUN echo daemonless > /d\n",
			"registries.yaml": "registries:\n  - name: bench\n    domain: " + host + "\n    insecure: true\n",
		}
	})
	if err != nil {
		return err
	}
	defer reg.Stop()
	defer os.RemoveAll(dir)
	state := filepath.Join(dir, "state")
	timed := func(args ...string) (time.Duration, error) {
		c := exec.Command(hoist, append([]string{"build", dir, "--image-name", "bench/daemonless", "--tag", "v1", "--registry", "bench",
			"--build-arg", "BASE=" + base, "--registries", filepath.Join(dir, "registries.yaml"), "--progress", "quiet"}, args...)...)
		c.Env = append(withoutEnv("BUILDKIT_HOST"), "HOIST_BUILDKIT_STATE="+state)
		start := time.Now()
		if out, err := c.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("hoist build %v: %v\n%s", args, err, out)
		}
		return time.Since(start), nil
	}
	// Warm both states.
	for _, args := range [][]string{nil, {"--builder", bk.Addr}} {
		if _, err := timed(args...); err != nil {
			return err
		}
	}
	var daemonless, running []time.Duration
	for i := 0; i < runs; i++ {
		d, err := timed()
		if err != nil {
			return err
		}
		r, err := timed("--builder", bk.Addr)
		if err != nil {
			return err
		}
		daemonless, running = append(daemonless, d), append(running, r)
	}
	md, mr := median(daemonless), median(running)
	fmt.Printf("\ndaemonless start-up, fully cached build and push, %d alternating runs each:\n", runs)
	fmt.Printf("  hoist starts buildkitd  median %7.1f ms\n", ms(md))
	fmt.Printf("  running buildkitd       median %7.1f ms\n", ms(mr))
	fmt.Printf("  start-up cost %+.1f ms (goal at most +500 ms), ratio %.2f\n", ms(md)-ms(mr), float64(md)/float64(mr))
	return nil
}

// withoutEnv is the environment without the variable name.
func withoutEnv(name string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
