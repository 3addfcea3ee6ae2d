package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
)

// benchImages fills 3 registries with 20 repositories of 30 tags (3
// images per repository) and times `hoist images -o json` against the same
// listing done one request after another: per repository the tag list
// (what `crane ls` does), then a HEAD per tag and a manifest and config
// GET per image.
func benchImages(hoist string, runs int) error {
	const nRegs, nRepos, nTags, nImages = 3, 20, 30, 3
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
		}
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
	return nil
}
