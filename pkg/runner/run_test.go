package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/progress"
	"github.com/hoist-build/hoist/pkg/registries"
)

// fakeBuilder stands in for BuildKit: it writes a new random image to the
// request's local store, as BuildKit's OCI exporter does, and returns its
// digest; or fails the steps named in fail.
type fakeBuilder struct {
	mu   sync.Mutex
	reqs []build.Request
	fail map[string]bool
}

func (f *fakeBuilder) Build(_ context.Context, req build.Request) (*build.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	if f.fail[req.Names[0]] {
		return nil, errors.New(`process "/bin/sh -c exit 3" did not complete successfully: exit code: 3`)
	}
	img, err := random.Image(256, 2)
	if err != nil {
		return nil, err
	}
	// As hoist's store does: blobs first, then index.json replaced whole,
	// so a reader never sees it half written.
	if err := os.MkdirAll(req.LocalStore, 0o755); err != nil {
		return nil, err
	}
	if err := layout.Path(req.LocalStore).WriteImage(img); err != nil {
		return nil, err
	}
	if err := appendIndex(req.LocalStore, img); err != nil {
		return nil, err
	}
	d, _ := img.Digest()
	cd, _ := img.ConfigName()
	return &build.Result{Digest: d.String(), ConfigDigest: cd.String()}, nil
}

// appendIndex adds img to the layout's index.json by writing a new file
// and renaming it over the old one.
func appendIndex(dir string, img v1.Image) error {
	idx := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}
	if data, err := os.ReadFile(filepath.Join(dir, "index.json")); err == nil {
		if err := json.Unmarshal(data, &idx); err != nil {
			return err
		}
	}
	d, _ := img.Digest()
	size, _ := img.Size()
	mt, _ := img.MediaType()
	idx.Manifests = append(idx.Manifests, v1.Descriptor{MediaType: mt, Digest: d, Size: size})
	data, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ".index.json.tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "index.json"))
}

func startRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// setup writes a pipeline and a registries config naming two in-process
// registries, "one" and "two".
func setup(t *testing.T, pipe string) (*pipeline.Pipeline, Options, string, string) {
	t.Helper()
	one, two := startRegistry(t), startRegistry(t)
	dir := t.TempDir()
	for n, c := range map[string]string{"codefresh.yml": pipe, "Dockerfile": "FROM scratch\n"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := pipeline.LoadFile(filepath.Join(dir, "codefresh.yml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := registries.Load(strings.NewReader("registries:\n  - name: one\n    domain: "+one+"\n    insecure: true\n  - name: two\n    domain: "+two+"\n    insecure: true\n"), "registries.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p, Options{Registries: cfg, Env: map[string]string{}, Vars: map[string]string{"CF_BRANCH": "main"}}, one, two
}

func digestAt(t *testing.T, ref string) string {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	d, err := remote.Head(r)
	if err != nil {
		return ""
	}
	return d.Digest.String()
}

// TestRunBuildsAndPushSteps runs builds and push steps through a fake
// builder: a build goes to its registry, a push step pushes that exact
// digest on, and a build with disable_push is pushed from the local store.
func TestRunBuildsAndPushSteps(t *testing.T) {
	t.Parallel()
	p, opts, one, two := setup(t, `version: '1.0'
steps:
  build_app:
    type: build
    image_name: team/app
    tag: v1
    registry: one
  build_local:
    type: build
    image_name: team/local
    disable_push: true
  push_app:
    type: push
    candidate: ${{build_app}}
    registry: two
    tags: [a, b]
  push_local:
    type: push
    candidate: ${{build_local}}
    registry: two
    tag: pushed
`)
	fb := &fakeBuilder{}
	var out bytes.Buffer
	results, err := Run(context.Background(), p, opts, Exec{Builder: fb, Out: &out, LocalStore: t.TempDir()})
	if err != nil {
		t.Fatalf("Run() = %v\n%s", err, out.String())
	}
	byName := map[string]*StepResult{}
	for _, r := range results {
		byName[r.Name] = r
	}
	app, local := byName["build_app"].Digest, byName["build_local"].Digest
	checks := map[string]string{
		one + "/team/app:v1":       app,
		two + "/team/app:a":        app,
		two + "/team/app:b":        app,
		two + "/team/local:pushed": local,
		one + "/team/local:main":   "", // disable_push: never pushed by the build
	}
	for ref, want := range checks {
		if got := digestAt(t, ref); got != want {
			t.Errorf("%s = %q, want %q", ref, got, want)
		}
	}
	if byName["build_local"].LocalStore == "" {
		t.Errorf("build_local has no local store, want the one it was written to")
	}
	if r := byName["push_app"].Pushed; len(r) != 1 || strings.Join(r[0].Tags, ",") != "a,b" {
		t.Errorf("push_app results = %+v, want one target with tags a,b", r)
	}
	for _, req := range fb.reqs {
		if req.LocalStore == "" {
			t.Errorf("build %v has no local store", req.Names)
		}
	}
	if !strings.Contains(out.String(), "pushed "+one+"/team/app@"+app+" tags v1") {
		t.Errorf("output does not report the build's push:\n%s", out.String())
	}
}

// TestRunFailedBuildPushesNothing: a failing build stops the pipeline, and
// neither it nor later steps push anything.
func TestRunFailedBuildPushesNothing(t *testing.T) {
	t.Parallel()
	p, opts, one, two := setup(t, `version: '1.0'
steps:
  broken:
    type: build
    image_name: team/broken
    tag: v1
    registry: one
  push_it:
    type: push
    candidate: ${{broken}}
    registry: two
`)
	fb := &fakeBuilder{fail: map[string]bool{one + "/team/broken:v1": true}}
	var out bytes.Buffer
	results, err := Run(context.Background(), p, opts, Exec{Builder: fb, Out: &out, LocalStore: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "step broken: ") || !strings.Contains(err.Error(), "exit code: 3") {
		t.Fatalf("Run() = %v, want step broken's failure", err)
	}
	if len(results) != 1 || results[0].Err == nil {
		t.Errorf("results = %d, want only the failed step", len(results))
	}
	if got := digestAt(t, one+"/team/broken:v1"); got != "" {
		t.Errorf("broken:v1 = %s in one, want nothing", got)
	}
	if got := digestAt(t, two+"/team/broken:latest"); got != "" {
		t.Errorf("broken:latest = %s in two, want nothing", got)
	}
}

// TestRunParallelBlock runs a parallel block's builds at once and keeps
// their step blocks whole.
func TestRunParallelBlock(t *testing.T) {
	t.Parallel()
	p, opts, one, _ := setup(t, `version: '1.0'
steps:
  both:
    type: parallel
    steps:
      build_a:
        type: build
        image_name: team/a
        registry: one
      build_b:
        type: build
        image_name: team/b
        registry: one
`)
	fb := &fakeBuilder{}
	var out, display bytes.Buffer
	printer, err := progress.NewPrinter(context.Background(), &display, progress.ModePlain)
	if err != nil {
		t.Fatal(err)
	}
	results, err := Run(context.Background(), p, opts, Exec{Builder: fb, Out: &out, LocalStore: t.TempDir(), Progress: printer.Step()})
	if err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if err := printer.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	// Both pushes show in the one display, each under its step's name.
	for _, r := range results {
		want := "[" + r.Name + "] pushing " + one + "/" + r.Image + "@" + r.Digest
		if !strings.Contains(display.String(), want) {
			t.Errorf("display lacks %q:\n%s", want, display.String())
		}
	}
	if len(results) != 2 {
		t.Fatalf("results = %d, want 2", len(results))
	}
	for _, r := range results {
		if got := digestAt(t, one+"/"+r.Image+":main"); got != r.Digest {
			t.Errorf("%s:main = %q, want %s", r.Image, got, r.Digest)
		}
	}
	if !strings.HasPrefix(out.String(), "step both: parallel: build_a, build_b\nstep build_a: push to") {
		t.Errorf("output = %q, want the block line then build_a's block", out.String())
	}
}
