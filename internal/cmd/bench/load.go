package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
)

// benchLoad runs n hoist run processes at once on one buildkitd and three
// registries, each a distinct build pushed to two of the three (run i to
// registries i%3 and (i+1)%3), checks that every tag at both registries
// holds the digest its run printed, and compares the wall time with the
// same n runs one after another.
func benchLoad(hoist string, n int) error {
	ctx := context.Background()
	bk, err := stack.StartBuildkitd(ctx)
	if err != nil {
		return err
	}
	defer bk.Stop()
	reg, base, dir, err := setup("hoist-bench-load-", func(host string) map[string]string {
		return map[string]string{
			"Dockerfile":    "ARG BASE\nFROM ${BASE}\nARG N\nARG ROUND\nRUN echo $N $ROUND > /n\n",
			"codefresh.yml": "version: '1.0'\nsteps:\n  app:\n    type: build\n    image_name: load/app${{N}}\n    tag: r${{ROUND}}\n    registry: ${{FIRST}}\n    build_arguments: ['N=${{N}}', 'ROUND=${{ROUND}}', 'BASE=${{BASE}}']\n  copy:\n    type: push\n    candidate: ${{app}}\n    registry: ${{SECOND}}\n    tag: r${{ROUND}}\n",
		}
	})
	if err != nil {
		return err
	}
	defer reg.Stop()
	defer os.RemoveAll(dir)
	more, stop, err := startRegistries(2)
	if err != nil {
		return err
	}
	defer stop()
	hosts := append([]string{reg.Host}, hostsOf(more)...)
	regs := filepath.Join(dir, "registries.yaml")
	if err := writeRegistries(regs, "", hosts); err != nil {
		return err
	}
	digest := regexp.MustCompile(`digest (sha256:[0-9a-f]{64})`)
	one := func(i int, round string) error {
		first, second := i%3, (i+1)%3
		c := exec.Command(hoist, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", regs, "--builder", bk.Addr,
			"--progress", "quiet", "--var", fmt.Sprintf("N=%d", i), "--var", "ROUND="+round, "--var", "BASE="+base, "--var", "CF_BRANCH=load",
			"--var", fmt.Sprintf("FIRST=t%d", first), "--var", fmt.Sprintf("SECOND=t%d", second))
		out, err := c.CombinedOutput()
		if err != nil {
			return fmt.Errorf("run %d: %v\n%s", i, err, out)
		}
		m := digest.FindSubmatch(out)
		if m == nil {
			return fmt.Errorf("run %d printed no digest:\n%s", i, out)
		}
		for _, host := range []string{hosts[first], hosts[second]} {
			ref, _ := name.ParseReference(fmt.Sprintf("%s/load/app%d:r%s", host, i, round), name.Insecure)
			d, err := remote.Head(ref)
			if err != nil || d.Digest.String() != string(m[1]) {
				return fmt.Errorf("run %d: %s holds %v (%v), want %s", i, ref, d, err, m[1])
			}
		}
		return nil
	}
	start := time.Now()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = one(i, "1") }()
	}
	wg.Wait()
	concurrent := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	start = time.Now()
	for i := 0; i < n; i++ {
		if err := one(i, "2"); err != nil {
			return err
		}
	}
	sequential := time.Since(start)
	fmt.Printf("\nload: %d hoist run processes at once on one buildkitd, each a distinct build pushed to two of three registries, every tag checked at both:\n", n)
	fmt.Printf("  at once %7.0f ms, one after another %7.0f ms, ratio %.2f; all %d digests right\n", ms(concurrent), ms(sequential), float64(concurrent)/float64(sequential), n)
	return nil
}
