package commands

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/stack"
)

// TestRegistryKinds runs the core flows against each registry
// implementation (distribution 2.8, distribution v3, go-containerregistry's
// OCI-native registry): build and push, tag, promote to another
// integration and to one reached through an endpoint, the images
// listing, and a build that exports its cache to
// a caching registry.
func TestRegistryKinds(t *testing.T) {
	needStack(t)
	for _, kind := range stack.RegistryKinds {
		t.Run(kind, func(t *testing.T) {
			reg, err := stack.StartRegistry(stack.RegistryOptions{Kind: kind})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(reg.Stop)
			h := reg.Host
			regs := filepath.Join(writeFiles(t, map[string]string{"registries.yaml": fmt.Sprintf(`registries:
  - name: dev
    domain: %[1]s
    insecure: true
    prefix: dev
  - name: prod
    domain: %[1]s
    insecure: true
    prefix: prod
  - name: cache
    domain: %[1]s
    insecure: true
    prefix: cache
  - name: mirror
    domain: registry.example.internal
    endpoint: %[1]s
    insecure: true
    prefix: mirror
default: dev
caching: cache
`, h)}), "registries.yaml")
			dir := writeFiles(t, map[string]string{
				"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo " + kind + " > /kind.txt\n",
				"codefresh.yml": `version: "1.0"
steps:
  app:
    type: build
    image_name: kinds/app
    tag: v1
    build_arguments:
      - BASE=${{BASE}}
`,
			})
			r := mustHoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", regs, "--builder", bk.Addr, "--progress", "quiet",
				"--var", "BASE="+baseImage, "--var", "CF_BRANCH=main")
			built := digestOf(t, h+"/dev/kinds/app:v1", nil)
			if built == "" {
				t.Fatalf("build: dev/kinds/app:v1 is not in the registry\n%s", r.stdout)
			}
			if digestOf(t, h+"/cache/kinds/app:cache-main", nil) == "" {
				t.Errorf("build: no cache exported to cache/kinds/app:cache-main\n%s", r.stdout)
			}

			mustHoist(t, "tag", h+"/dev/kinds/app:v1", h+"/dev/kinds/app:v1.0", "--registries", regs)
			if got := digestOf(t, h+"/dev/kinds/app:v1.0", nil); got != built {
				t.Errorf("tag: dev/kinds/app:v1.0 = %q, want %s", got, built)
			}

			mustHoist(t, "promote", h+"/dev/kinds/app:v1", "--to", "prod", "--registries", regs)
			if got := digestOf(t, h+"/prod/kinds/app:v1", nil); got != built {
				t.Errorf("promote: prod/kinds/app:v1 = %q, want %s", got, built)
			}

			// Through an endpoint: distribution answers upload locations
			// on the Host it was asked for, go-containerregistry's registry
			// relative ones; both stay on the endpoint.
			mustHoist(t, "promote", h+"/dev/kinds/app:v1", "--to", "mirror", "--registries", regs)
			if got := digestOf(t, h+"/mirror/kinds/app:v1", nil); got != built {
				t.Errorf("promote through an endpoint: mirror/kinds/app:v1 = %q, want %s", got, built)
			}

			ls := mustHoist(t, "images", "--registries", regs, "-o", "json")
			for _, want := range []string{`"kinds/app"`, `"v1.0"`, built} {
				if !strings.Contains(ls.stdout, want) {
					t.Errorf("images -o json does not show %s:\n%s", want, ls.stdout)
				}
			}
		})
	}
}
