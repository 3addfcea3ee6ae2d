package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/hoist-build/hoist/internal/stack"
)

// benchBuilders measures builder pools: four parallel builds, each with a
// 3 s RUN, on one builder and on a pool of two; and a small multi-platform
// build split among native nodes (one buildkitd per platform) against one
// builder emulating arm64 with qemu. Both buildkitd of a pool run on this
// one machine, so the figures show hoist's overhead and what 2 cores
// allow, not what a second machine would give.
func benchBuilders(hoist string, rounds int) error {
	ctx := context.Background()
	start := func(args ...string) (*stack.Buildkitd, error) {
		return stack.StartBuildkitdWith(ctx, stack.BuildkitdOptions{Args: args})
	}
	one, err := start()
	if err != nil {
		return err
	}
	defer one.Stop()
	two, err := start()
	if err != nil {
		return err
	}
	defer two.Stop()
	amd, err := start("--oci-worker-platform", "linux/amd64")
	if err != nil {
		return err
	}
	defer amd.Stop()
	arm, err := start("--oci-worker-platform", "linux/arm64")
	if err != nil {
		return err
	}
	defer arm.Stop()

	steps := ""
	for i := 1; i <= 4; i++ {
		steps += fmt.Sprintf("      b%d:\n        type: build\n        image_name: pool/app%d\n        registry: bench\n        no_cache: true\n        build_arguments: ['N=%d', 'BASE=${{BASE}}']\n", i, i, i)
	}
	reg, base, dir, err := setup("hoist-bench-pool-", func(host string) map[string]string {
		return map[string]string{
			"Dockerfile":       "ARG BASE\nFROM ${BASE}\nARG N\nRUN sleep 3 && echo $N > /n\n",
			"multi.Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; uname -m > /arch\n",
			"codefresh.yml":    "version: '1.0'\nsteps:\n  all:\n    type: parallel\n    steps:\n" + steps,
			"registries.yaml":  "registries:\n  - name: bench\n    domain: " + host + "\n    insecure: true\n",
			"builders.yaml":    "builders:\n  - name: amd\n    address: " + amd.Addr + "\n  - name: arm\n    address: " + arm.Addr + "\n",
		}
	})
	if err != nil {
		return err
	}
	defer reg.Stop()
	defer os.RemoveAll(dir)
	multi := reg.Host + "/base/busybox:multi"
	if _, err := stack.PushBusyboxIndex(multi); err != nil {
		return err
	}
	regs := filepath.Join(dir, "registries.yaml")
	timed := func(args ...string) (time.Duration, error) {
		c := exec.Command(hoist, args...)
		startAt := time.Now()
		if out, err := c.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("hoist %v: %v\n%s", args, err, out)
		}
		return time.Since(startAt), nil
	}
	runPipeline := func(builders ...string) (time.Duration, error) {
		args := []string{"run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", regs, "--progress", "quiet", "--var", "BASE=" + base, "--var", "CF_BRANCH=bench"}
		for _, b := range builders {
			args = append(args, "--builder", b)
		}
		return timed(args...)
	}
	buildMulti := func(builder ...string) (time.Duration, error) {
		args := append([]string{"build", dir, "-f", filepath.Join(dir, "multi.Dockerfile"), "--image-name", "pool/multi", "--registry", "bench", "--no-cache",
			"--platform", "linux/amd64,linux/arm64", "--build-arg", "BASE=" + multi, "--registries", regs, "--progress", "quiet"}, builder...)
		return timed(args...)
	}
	var single, pool, emulated, native []time.Duration
	for i := 0; i < rounds; i++ {
		for _, m := range []struct {
			run func() (time.Duration, error)
			out *[]time.Duration
		}{
			{func() (time.Duration, error) { return runPipeline(one.Addr) }, &single},
			{func() (time.Duration, error) { return runPipeline(one.Addr, two.Addr) }, &pool},
			{func() (time.Duration, error) { return buildMulti("--builder", one.Addr) }, &emulated},
			{func() (time.Duration, error) { return buildMulti("--builders", filepath.Join(dir, "builders.yaml")) }, &native},
		} {
			d, err := m.run()
			if err != nil {
				return err
			}
			*m.out = append(*m.out, d)
		}
	}
	fmt.Printf("builder pools, %d rounds, all buildkitd on this machine:\n", rounds)
	fmt.Printf("  4 parallel builds, 3 s RUN each: one builder %7.0f ms, pool of two %7.0f ms, ratio %.2f\n", ms(median(single)), ms(median(pool)), float64(median(pool))/float64(median(single)))
	fmt.Printf("  multi-platform build: qemu on one builder %7.0f ms, native nodes %7.0f ms, ratio %.2f (the arm64 node also runs under qemu here)\n", ms(median(emulated)), ms(median(native)), float64(median(native))/float64(median(emulated)))
	return nil
}
