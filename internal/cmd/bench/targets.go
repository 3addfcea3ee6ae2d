package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/hoist-build/hoist/internal/stack"
)

// startRegistries starts n loopback registries; stop stops them all.
func startRegistries(n int) (regs []*stack.Registry, stop func(), err error) {
	stop = func() {
		for _, r := range regs {
			r.Stop()
		}
	}
	for i := 0; i < n; i++ {
		r, err := stack.StartRegistry(stack.RegistryOptions{})
		if err != nil {
			stop()
			return nil, func() {}, err
		}
		regs = append(regs, r)
	}
	return regs, stop, nil
}

// hostsOf lists the registries' hosts.
func hostsOf(regs []*stack.Registry) []string {
	hosts := make([]string, len(regs))
	for i, r := range regs {
		hosts[i] = r.Host
	}
	return hosts
}

// writeRegistries writes a registries.yaml to path with an insecure
// integration for the registry at src, named src (none when src is
// empty), and one for each of targets, named t0, t1, ...
func writeRegistries(path, src string, targets []string) error {
	conf := "registries:\n"
	add := func(name, host string) {
		conf += fmt.Sprintf("  - name: %s\n    domain: %s\n    insecure: true\n", name, host)
	}
	if src != "" {
		add("src", src)
	}
	for i, h := range targets {
		add(fmt.Sprintf("t%d", i), h)
	}
	return os.WriteFile(path, []byte(conf), 0o644)
}

// peakRSS runs args under GNU time, with a file in dir for its answer,
// and returns the process's peak RSS in kB: a child's rusage would include
// this process's memory, which it forked from.
func peakRSS(dir string, args []string) (int64, error) {
	rssFile := filepath.Join(dir, "rss")
	c := exec.Command("/usr/bin/time", append([]string{"-f", "%M", "-o", rssFile}, args...)...)
	if out, err := c.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%s: %v\n%s", args[0], err, out)
	}
	data, err := os.ReadFile(rssFile)
	if err != nil {
		return 0, err
	}
	var kb int64
	fmt.Sscan(string(data), &kb)
	return kb, nil
}

// peer finds a peer tool: on PATH, else where hack/bench-tools.sh puts it.
func peer(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	home, _ := os.UserHomeDir()
	cache := os.Getenv("HOIST_CACHE")
	if cache == "" {
		cache = filepath.Join(home, ".cache", "hoist")
	}
	p := filepath.Join(cache, "bin", name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s not found on PATH or in %s: run hack/bench-tools.sh (make bench does)", name, filepath.Dir(p))
	}
	return p, nil
}
