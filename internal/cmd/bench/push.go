package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
)

// benchPush pushes a ~100 MB image of 5 layers to 3 registries with `hoist
// push` and with `crane copy` run once per target, one after the other,
// through counting proxies, and prints times, bytes uploaded and peak RSS.
// Then it times 10 new tags of the same image.
func benchPush(hoist string, runs int) error {
	dir, err := os.MkdirTemp("", "hoist-bench-push-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	servers, stop, err := startRegistries(4)
	if err != nil {
		return err
	}
	defer stop()
	srcReg := servers[0]
	// Timed runs go straight to the registries; one more run of each tool
	// goes through counting proxies to measure the bytes uploaded. The
	// source is an integration too: hoist reads plain HTTP only from an
	// insecure one.
	hosts := hostsOf(servers[1:])
	var proxies []*stack.Proxy
	var proxyHosts []string
	for _, h := range hosts {
		p := stack.StartProxy(h, nil)
		defer p.Close()
		proxies, proxyHosts = append(proxies, p), append(proxyHosts, p.Host)
	}
	regs, regsProxied := filepath.Join(dir, "r.yaml"), filepath.Join(dir, "p.yaml")
	if err := writeRegistries(regs, srcReg.Host, hosts); err != nil {
		return err
	}
	if err := writeRegistries(regsProxied, srcReg.Host, proxyHosts); err != nil {
		return err
	}
	img, err := random.Image(20_000_000, 5)
	if err != nil {
		return err
	}
	src := srcReg.Host + "/bench/big:v1"
	ref, _ := name.ParseReference(src)
	if err := remote.Write(ref, img); err != nil {
		return err
	}
	m, _ := img.Manifest()
	size := m.Config.Size
	for _, l := range m.Layers {
		size += l.Size
	}
	bytesIn := func() int64 {
		var n int64
		for _, p := range proxies {
			n += p.BytesIn.Load()
		}
		return n
	}
	crane, err := peer("crane")
	if err != nil {
		return err
	}
	type sample struct {
		d     time.Duration
		bytes int64
		rss   int64
	}
	// Each command runs under GNU time for its own peak RSS.
	run := func(cmds ...[]string) (sample, error) {
		before := bytesIn()
		var s sample
		start := time.Now()
		for _, args := range cmds {
			kb, err := peakRSS(dir, args)
			if err != nil {
				return s, err
			}
			s.rss = max(s.rss, kb)
		}
		s.d, s.bytes = time.Since(start), bytesIn()-before
		return s, nil
	}
	fmt.Printf("\npush: %.1f MB image (5 layers + config) to 3 registries on loopback, %d runs each:\n", float64(size)/1e6, runs)
	hoistRun := func(conf string, i int) []string {
		return []string{hoist, "push", src, "--registries", conf, "--registry", "t0", "--registry", "t1", "--registry", "t2",
			"--image-name", fmt.Sprintf("hoist/run%d", i), "--tag", "v1"}
	}
	craneRuns := func(hosts []string, i int) [][]string {
		var cmds [][]string
		for _, h := range hosts {
			cmds = append(cmds, []string{crane, "copy", src, fmt.Sprintf("%s/crane/run%d:v1", h, i)})
		}
		return cmds
	}
	var hs, cs []sample
	for i := 0; i < runs; i++ {
		h, err := run(hoistRun(regs, i))
		if err != nil {
			return err
		}
		c, err := run(craneRuns(hosts, i)...)
		if err != nil {
			return err
		}
		hs, cs = append(hs, h), append(cs, c)
	}
	hb, err := run(hoistRun(regsProxied, runs))
	if err != nil {
		return err
	}
	cb, err := run(craneRuns(proxyHosts, runs)...)
	if err != nil {
		return err
	}
	med := func(s []sample) sample {
		var ds []time.Duration
		for _, x := range s {
			ds = append(ds, x.d)
		}
		md := median(ds)
		for _, x := range s {
			if x.d == md {
				return x
			}
		}
		return s[0]
	}
	h, c := med(hs), med(cs)
	h.bytes, c.bytes = hb.bytes, cb.bytes
	fmt.Printf("  hoist push (3 targets at once)  median %7.1f ms  uploaded %d bytes  peak RSS %d MB\n", ms(h.d), h.bytes, h.rss/1024)
	fmt.Printf("  crane copy x3, one after other  median %7.1f ms  uploaded %d bytes  peak RSS %d MB\n", ms(c.d), c.bytes, c.rss/1024)
	fmt.Printf("  ratio hoist/crane time %.2f; blobs missing at the targets: %d bytes (3 x %d)\n", float64(h.d)/float64(c.d), 3*size, size)

	args := []string{"push", src, "--registries", regs, "--registry", "t0", "--registry", "t1", "--registry", "t2", "--image-name", "hoist/run0", "--metadata-file", filepath.Join(dir, "m.json")}
	for i := 0; i < 10; i++ {
		args = append(args, "--tag", fmt.Sprintf("r%d", i))
	}
	args[3] = regsProxied
	r, err := run(append([]string{hoist}, args...))
	if err != nil {
		return err
	}
	data, _ := os.ReadFile(filepath.Join(dir, "m.json"))
	var meta struct {
		Targets []struct {
			BytesUploaded int64 `json:"bytes_uploaded"`
		}
	}
	json.Unmarshal(data, &meta)
	var up int64
	for _, t := range meta.Targets {
		up += t.BytesUploaded
	}
	fmt.Printf("  retag 10 tags on 3 targets: %.1f ms, blob bytes uploaded %d (proxies saw %d request bytes, manifests only)\n", ms(r.d), up, r.bytes)
	return nil
}
