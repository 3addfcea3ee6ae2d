package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
)

// linkRTT is the round trip of each link in the shaped push bench.
const linkRTT = 20 * time.Millisecond

// benchLinks pushes a new 100 MB, 5-layer image each run from a loopback
// registry to 3 registries, each behind its own link of 50 MB/s and 20 ms
// round trip: `hoist push` to the 3 at once; hoist to one of them (the
// floor: one upload over one link); and `crane copy`, `regctl image copy`
// and `skopeo copy` run once per target, one after another. It prints the
// median times, the tools' own CPU time, the bytes that went up the links
// and the ratios.
func benchLinks(hoist string, runs int) error {
	peers := map[string]string{}
	for _, p := range []string{"crane", "regctl", "skopeo"} {
		path, err := peer(p)
		if err != nil {
			return err
		}
		peers[p] = path
	}
	dir, err := os.MkdirTemp("", "hoist-bench-links-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	servers, stop, err := startRegistries(4)
	if err != nil {
		return err
	}
	defer stop()
	src := servers[0]
	var links []*stack.Link
	var hosts []string
	for _, reg := range servers[1:] {
		l, err := stack.StartLink(reg.Host, stack.LinkOptions{Rate: linkRate, RTT: linkRTT})
		if err != nil {
			return err
		}
		defer l.Close()
		links, hosts = append(links, l), append(hosts, l.Host)
	}
	regs := filepath.Join(dir, "registries.yaml")
	if err := writeRegistries(regs, src.Host, hosts); err != nil {
		return err
	}
	// regctl reads which hosts speak plain HTTP from its config file in
	// $HOME; skopeo falls back to HTTP with TLS verification off.
	home := filepath.Join(dir, "home")
	for _, h := range append([]string{src.Host}, hosts...) {
		c := exec.Command(peers["regctl"], "registry", "set", "--tls", "disabled", h)
		c.Env = append(os.Environ(), "HOME="+home)
		if out, err := c.CombinedOutput(); err != nil {
			return fmt.Errorf("regctl registry set: %v\n%s", err, out)
		}
	}
	up := func() int64 {
		var n int64
		for _, l := range links {
			n += l.Up.Load()
		}
		return n
	}
	type tool struct {
		what    string
		targets int
		cmds    func(src string, run int) [][]string
	}
	perTarget := func(f func(src, dst string) []string, repo string) func(string, int) [][]string {
		return func(src string, run int) [][]string {
			var cmds [][]string
			for _, l := range links {
				cmds = append(cmds, f(src, fmt.Sprintf("%s/%s/run%d:v1", l.Host, repo, run)))
			}
			return cmds
		}
	}
	tools := []tool{
		{"hoist push, 1 target (floor)", 1, func(src string, run int) [][]string {
			return [][]string{{hoist, "push", src, "--registries", regs, "--registry", "t0", "--image-name", fmt.Sprintf("floor/run%d", run), "--tag", "v1"}}
		}},
		{"hoist push, 3 targets", 3, func(src string, run int) [][]string {
			return [][]string{{hoist, "push", src, "--registries", regs, "--registry", "t0", "--registry", "t1", "--registry", "t2",
				"--image-name", fmt.Sprintf("hoist/run%d", run), "--tag", "v1"}}
		}},
		{"crane copy x3 in turn", 3, perTarget(func(s, d string) []string { return []string{peers["crane"], "copy", s, d} }, "crane")},
		{"regctl image copy x3", 3, perTarget(func(s, d string) []string { return []string{peers["regctl"], "image", "copy", s, d} }, "regctl")},
		{"skopeo copy x3 in turn", 3, perTarget(func(s, d string) []string {
			return []string{peers["skopeo"], "copy", "--src-tls-verify=false", "--dest-tls-verify=false", "docker://" + s, "docker://" + d}
		}, "skopeo")},
	}
	times := make([][]time.Duration, len(tools))
	cpu := make([][]time.Duration, len(tools))
	bytes := make([]int64, len(tools))
	var size int64
	for run := 0; run < runs; run++ {
		// A new image each run: no tool finds its blobs anywhere (skopeo
		// remembers where it saw blobs and would mount them).
		img, err := random.Image(20_000_000, 5)
		if err != nil {
			return err
		}
		ref := fmt.Sprintf("%s/bench/links:run%d", src.Host, run)
		r, _ := name.ParseReference(ref)
		if err := remote.Write(r, img); err != nil {
			return err
		}
		m, _ := img.Manifest()
		size = m.Config.Size
		for _, l := range m.Layers {
			size += l.Size
		}
		for i, t := range tools {
			before := up()
			start := time.Now()
			var used time.Duration
			for _, args := range t.cmds(ref, run) {
				c := exec.Command(args[0], args[1:]...)
				c.Env = append(os.Environ(), "HOME="+home)
				if out, err := c.CombinedOutput(); err != nil {
					return fmt.Errorf("%s: %v\n%s", t.what, err, out)
				}
				used += c.ProcessState.UserTime() + c.ProcessState.SystemTime()
			}
			times[i] = append(times[i], time.Since(start))
			cpu[i] = append(cpu[i], used)
			bytes[i] = up() - before
		}
	}
	fmt.Printf("\npush over shaped links: %.1f MB image (5 layers + config), each target registry behind its own link of %d MB/s and %d ms round trip, median of %d runs:\n",
		float64(size)/1e6, linkRate/1_000_000, linkRTT.Milliseconds(), runs)
	floor, hoistT := median(times[0]), median(times[1])
	for i, t := range tools {
		md := median(times[i])
		ratio := ""
		switch i {
		case 1:
			ratio = fmt.Sprintf("  %.2fx the floor (goal <= 1.15)", float64(md)/float64(floor))
		case 2, 3, 4:
			ratio = fmt.Sprintf("  hoist/this %.2f (goal <= 0.40)", float64(hoistT)/float64(md))
		}
		fmt.Printf("  %-30s %5.2f s (CPU %4.2f s)  up the links %6.2f MB (missing blobs %6.2f MB)%s\n",
			t.what, md.Seconds(), median(cpu[i]).Seconds(), float64(bytes[i])/1e6, float64(int64(t.targets)*size)/1e6, ratio)
	}
	return nil
}
