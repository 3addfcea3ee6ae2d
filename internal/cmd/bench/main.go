// Command bench measures hoist against peers run in the same run and prints
// the ratios: a warm build and push through `hoist build` and `buildctl
// build` on the same buildkitd, the start-up of `hoist --help`, and `hoist
// images` against the same listing done one request after another.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"github.com/hoist-build/hoist/internal/stack"
)

func main() {
	hoist := flag.String("hoist", "bin/hoist", "the hoist binary")
	runs := flag.Int("runs", 31, "timed runs of each tool in the build comparison")
	only := flag.String("only", "", "run one part: build, images, push, cache, daemonless, builders, load, links, http2 or memory")
	flag.Parse()
	var err error
	if *only == "" || *only == "build" {
		err = run(*hoist, *runs)
	}
	if err == nil && (*only == "" || *only == "images") {
		err = benchImages(*hoist, 5)
	}
	if err == nil && (*only == "" || *only == "push") {
		err = benchPush(*hoist, 3)
	}
	if err == nil && (*only == "" || *only == "cache") {
		err = benchCache(*hoist, 21)
	}
	if err == nil && (*only == "" || *only == "daemonless") {
		err = benchDaemonless(*hoist, 11)
	}
	if err == nil && (*only == "" || *only == "builders") {
		err = benchBuilders(*hoist, 3)
	}
	if err == nil && (*only == "" || *only == "load") {
		err = benchLoad(*hoist, 20)
	}
	if err == nil && (*only == "" || *only == "links") {
		err = benchLinks(*hoist, 3)
	}
	if err == nil && (*only == "" || *only == "http2") {
		err = benchHTTP2()
	}
	if err == nil && (*only == "" || *only == "memory") {
		err = benchMemory(*hoist)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

func run(hoist string, runs int) error {
	ctx := context.Background()
	bk, err := stack.StartBuildkitd(ctx)
	if err != nil {
		return err
	}
	defer bk.Stop()
	reg, base, dir, err := setup("hoist-bench-", func(host string) map[string]string {
		return map[string]string{
			"Dockerfile":      "ARG BASE\nFROM ${BASE} AS build\nWORKDIR /src\nCOPY . .\nRUN cat *.txt | sha256sum > /sum\nFROM ${BASE}\nCOPY --from=build /sum /sum\nCMD [\"cat\", \"/sum\"]\n",
			"registries.yaml": "registries:\n  - name: bench\n    domain: " + host + "\n    insecure: true\n",
			"a.txt":           "alpha\n",
			"b.txt":           "beta\n",
		}
	})
	if err != nil {
		return err
	}
	defer reg.Stop()
	defer os.RemoveAll(dir)
	hoistCmd := func() *exec.Cmd {
		return exec.Command(hoist, "build", dir, "--image-name", "bench/hoist", "--tag", "warm", "--registry", "bench",
			"--build-arg", "BASE="+base, "--registries", filepath.Join(dir, "registries.yaml"), "--builder", bk.Addr, "--progress", "quiet",
			// Fixed build metadata: every run yields the same image, as buildctl's do.
			"--var", "CF_BUILD_ID=bench", "--var", "CF_BUILD_TIMESTAMP=2026-11-23T00:00:00Z")
	}
	buildctlCmd := func() *exec.Cmd {
		return exec.Command("buildctl", "--addr", bk.Addr, "build", "--frontend", "dockerfile.v0",
			"--local", "context="+dir, "--local", "dockerfile="+dir, "--opt", "build-arg:BASE="+base,
			"--output", "type=image,name="+reg.Host+"/bench/buildctl:warm,push=true", "--progress", "quiet")
	}
	// Warm the cache and the registry for both.
	for _, c := range []*exec.Cmd{hoistCmd(), buildctlCmd()} {
		if out, err := c.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v\n%s", c.Path, err, out)
		}
	}
	var th, tb []time.Duration
	for i := 0; i < runs; i++ {
		for _, m := range []struct {
			cmd func() *exec.Cmd
			out *[]time.Duration
		}{{hoistCmd, &th}, {buildctlCmd, &tb}} {
			c := m.cmd()
			start := time.Now()
			if out, err := c.CombinedOutput(); err != nil {
				return fmt.Errorf("%s: %v\n%s", c.Path, err, out)
			}
			*m.out = append(*m.out, time.Since(start))
		}
	}
	var help []time.Duration
	for i := 0; i < 30; i++ {
		start := time.Now()
		if err := exec.Command(hoist, "--help").Run(); err != nil {
			return err
		}
		help = append(help, time.Since(start))
	}
	mh, mb := median(th), median(tb)
	fmt.Printf("warm build+push, %d runs each, same buildkitd and registry:\n", runs)
	fmt.Printf("  hoist build     median %7.1f ms\n", ms(mh))
	fmt.Printf("  buildctl build  median %7.1f ms\n", ms(mb))
	fmt.Printf("  ratio hoist/buildctl   %.3f (overhead %+.1f%%)\n", float64(mh)/float64(mb), 100*(float64(mh)/float64(mb)-1))
	fmt.Printf("hoist --help, 30 runs: median %.1f ms\n", ms(median(help)))
	return nil
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// setup starts a registry with the busybox base image in it, and writes the
// files that files returns for the registry's host into a new temp dir.
func setup(prefix string, files func(host string) map[string]string) (*stack.Registry, string, string, error) {
	reg, err := stack.StartRegistry(stack.RegistryOptions{})
	if err != nil {
		return nil, "", "", err
	}
	base := reg.Host + "/base/busybox:stable"
	if _, err := stack.PushBusybox(base, nil); err != nil {
		reg.Stop()
		return nil, "", "", err
	}
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		reg.Stop()
		return nil, "", "", err
	}
	for n, c := range files(reg.Host) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			reg.Stop()
			os.RemoveAll(dir)
			return nil, "", "", err
		}
	}
	return reg, base, dir, nil
}
