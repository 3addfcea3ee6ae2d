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

// benchCache rebuilds a Dockerfile with an expensive RUN on a cold builder
// (a fresh buildkitd state) with the caching registry warm and without a
// caching registry, and measures what the caching registry costs a warm
// build that is fully cached (its import, and its check and export, which
// such a build skips).
func benchCache(hoist string, warmRuns int) error {
	ctx := context.Background()
	reg, base, dir, err := setup("hoist-bench-cache-", func(host string) map[string]string {
		return map[string]string{
			"Dockerfile":    "ARG BASE\nFROM ${BASE}\nRUN sleep 5 && head -c 5000000 /dev/urandom > /data\nRUN echo done > /done\nARG STAMP\nRUN echo \"$STAMP\" > /stamp\n",
			"cached.yaml":   "registries:\n  - name: r\n    domain: " + host + "\n    insecure: true\ncaching: r\n",
			"uncached.yaml": "registries:\n  - name: r\n    domain: " + host + "\n    insecure: true\n",
		}
	})
	if err != nil {
		return err
	}
	defer reg.Stop()
	defer os.RemoveAll(dir)
	build := func(builder, conf string, more ...string) (time.Duration, error) {
		c := exec.Command(hoist, append([]string{"build", dir, "--image-name", "bench/cache", "--tag", "v1", "--registry", "r", "--build-arg", "BASE=" + base,
			"--registries", filepath.Join(dir, conf), "--builder", builder, "--progress", "quiet",
			"--var", "CF_BUILD_ID=bench", "--var", "CF_BUILD_TIMESTAMP=2026-11-23T00:00:00Z", "--var", "CF_BRANCH=main"}, more...)...)
		start := time.Now()
		if out, err := c.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("hoist build: %v\n%s", err, out)
		}
		return time.Since(start), nil
	}
	cold := func(conf string) (time.Duration, error) {
		bk, err := stack.StartBuildkitd(ctx)
		if err != nil {
			return 0, err
		}
		defer bk.Stop()
		return build(bk.Addr, conf)
	}
	if _, err := cold("cached.yaml"); err != nil { // fills the caching registry
		return err
	}
	var with, without []time.Duration
	for i := 0; i < 2; i++ {
		w, err := cold("cached.yaml")
		if err != nil {
			return err
		}
		wo, err := cold("uncached.yaml")
		if err != nil {
			return err
		}
		with, without = append(with, w), append(without, wo)
	}
	fmt.Printf("\ncache: Dockerfile with a 5 s RUN, cold builder (fresh buildkitd state), 2 runs each:\n")
	fmt.Printf("  with the caching registry warm  median %7.1f ms\n", ms(median(with)))
	fmt.Printf("  without a caching registry      median %7.1f ms\n", ms(median(without)))
	fmt.Printf("  ratio %.2f\n", float64(median(with))/float64(median(without)))

	bk, err := stack.StartBuildkitd(ctx)
	if err != nil {
		return err
	}
	defer bk.Stop()
	if _, err := build(bk.Addr, "cached.yaml"); err != nil {
		return err
	}
	var ex, noex []time.Duration
	for i := 0; i < warmRuns; i++ {
		a, err := build(bk.Addr, "cached.yaml")
		if err != nil {
			return err
		}
		b, err := build(bk.Addr, "uncached.yaml")
		if err != nil {
			return err
		}
		ex, noex = append(ex, a), append(noex, b)
	}
	fmt.Printf("warm builder, fully cached build, %d alternating runs each: with the caching registry %.1f ms, without %.1f ms: %+.1f ms (goal at most +15 ms), ratio %.3f\n",
		warmRuns, ms(median(ex)), ms(median(noex)), ms(median(ex))-ms(median(noex)), float64(median(ex))/float64(median(noex)))
	// The price of the own-cache-first try: the last step runs every time,
	// so the try stops there and the build starts again with the imports.
	var ch, noch []time.Duration
	for i := 0; i < warmRuns; i++ {
		a, err := build(bk.Addr, "cached.yaml", "--build-arg", fmt.Sprintf("STAMP=with-%d", i))
		if err != nil {
			return err
		}
		b, err := build(bk.Addr, "uncached.yaml", "--build-arg", fmt.Sprintf("STAMP=without-%d", i))
		if err != nil {
			return err
		}
		ch, noch = append(ch, a), append(noch, b)
	}
	fmt.Printf("warm builder, last step runs each time, %d alternating runs each: with the caching registry %.1f ms, without %.1f ms: %+.1f ms, ratio %.3f\n",
		warmRuns, ms(median(ch)), ms(median(noch)), ms(median(ch))-ms(median(noch)), float64(median(ch))/float64(median(noch)))
	return nil
}
