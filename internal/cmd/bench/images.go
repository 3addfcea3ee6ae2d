package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
)

// benchImages fills 3 registries with 50 repositories of 30 tags (3
// images per repository) and times `hoist images -o json` against the same
// listing done one request after another: per repository the tag list
// (what `crane ls` does), then a HEAD per tag and a manifest, config and
// referrers GET per image. Then it times `hoist images serve`: the first
// API answer (which reads every registry) and later ones and the page,
// served from its cache.
func benchImages(hoist string, runs int) error {
	const nRegs, nRepos, nTags, nImages = 3, 50, 30, 3
	dir, err := os.MkdirTemp("", "hoist-bench-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	conf := "registries:\n"
	var regs []*stack.Registry
	for r := 0; r < nRegs; r++ {
		reg, err := stack.StartRegistry(stack.RegistryOptions{})
		if err != nil {
			return err
		}
		defer reg.Stop()
		regs = append(regs, reg)
		conf += fmt.Sprintf("  - name: r%d\n    domain: %s\n    insecure: true\n", r, reg.Host)
	}
	if err := os.WriteFile(filepath.Join(dir, "r.yaml"), []byte(conf), 0o644); err != nil {
		return err
	}
	var repos []name.Repository
	for _, reg := range regs {
		for p := 0; p < nRepos; p++ {
			repo, err := name.NewRepository(fmt.Sprintf("%s/app%02d", reg.Host, p))
			if err != nil {
				return err
			}
			repos = append(repos, repo)
		}
	}
	var eg errgroup.Group
	eg.SetLimit(16)
	for _, repo := range repos {
		eg.Go(func() error {
			for i := 0; i < nImages; i++ {
				img, err := random.Image(512, 1)
				if err != nil {
					return err
				}
				for t := i; t < nTags; t += nImages {
					if err := remote.Write(repo.Tag(fmt.Sprintf("t%02d", t)), img); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return err
	}
	fmt.Printf("\nimages: %d registries x %d repositories x %d tags (%d images per repository), %d runs each:\n", nRegs, nRepos, nTags, nImages, runs)
	hoistRun := func() error {
		return exec.Command(hoist, "images", "--registries", filepath.Join(dir, "r.yaml"), "-o", "json").Run()
	}
	tagsOnly := func() error { // crane ls, one repository after the other
		for _, repo := range repos {
			if _, err := remote.List(repo); err != nil {
				return err
			}
		}
		return nil
	}
	sameInfo := func() error {
		ctx := context.Background()
		for _, repo := range repos {
			tags, err := remote.List(repo, remote.WithContext(ctx))
			if err != nil {
				return err
			}
			seen := map[v1.Hash]bool{}
			for _, t := range tags {
				desc, err := remote.Head(repo.Tag(t))
				if err != nil {
					return err
				}
				if seen[desc.Digest] {
					continue
				}
				seen[desc.Digest] = true
				img, err := remote.Image(repo.Digest(desc.Digest.String()))
				if err != nil {
					return err
				}
				if _, err := img.ConfigFile(); err != nil {
					return err
				}
				if _, err := remote.Referrers(repo.Digest(desc.Digest.String())); err != nil {
					return err
				}
			}
		}
		return nil
	}
	times := map[string][]time.Duration{}
	order := []string{"hoist images", "sequential tag lists (crane ls)", "sequential, same information"}
	fns := map[string]func() error{order[0]: hoistRun, order[1]: tagsOnly, order[2]: sameInfo}
	for i := 0; i < runs; i++ {
		for _, n := range order {
			start := time.Now()
			if err := fns[n](); err != nil {
				return fmt.Errorf("%s: %w", n, err)
			}
			times[n] = append(times[n], time.Since(start))
		}
	}
	h := median(times[order[0]])
	for _, n := range order {
		m := median(times[n])
		fmt.Printf("  %-34s median %7.1f ms  (hoist / this = %.2f)\n", n, ms(m), float64(h)/float64(m))
	}
	return benchServe(hoist, filepath.Join(dir, "r.yaml"), runs, median(times[order[2]]))
}

// benchServe times hoist images serve: its first API answer, which lists
// every registry, then cached API answers and page loads.
func benchServe(hoist, regs string, runs int, sequential time.Duration) error {
	cmd := exec.Command(hoist, "images", "serve", "--listen", "127.0.0.1:0", "--ttl", "10m", "--registries", regs)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	line, err := bufio.NewReader(stderr).ReadString('\n')
	if err != nil {
		return fmt.Errorf("images serve: %w", err)
	}
	url := regexp.MustCompile(`http://[0-9.:]+/`).FindString(line)
	if url == "" {
		return fmt.Errorf("images serve said %q", line)
	}
	get := func(path string) (time.Duration, error) {
		start := time.Now()
		resp, err := http.Get(url + path)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET /%s: %s", path, resp.Status)
		}
		return time.Since(start), err
	}
	first, err := get("api/images")
	if err != nil {
		return err
	}
	var api, page []time.Duration
	for i := 0; i < max(runs, 5); i++ {
		a, err := get("api/images")
		if err != nil {
			return err
		}
		p, err := get("")
		if err != nil {
			return err
		}
		api, page = append(api, a), append(page, p)
	}
	fmt.Printf("  %-34s        %7.1f ms  (this / sequential = %.2f)\n", "images serve, first /api/images", ms(first), float64(first)/float64(sequential))
	fmt.Printf("  %-34s median %7.1f ms  (goal under 50 ms)\n", "images serve, cached /api/images", ms(median(api)))
	fmt.Printf("  %-34s median %7.1f ms\n", "images serve, page (/)", ms(median(page)))
	return nil
}
