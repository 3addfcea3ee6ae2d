package commands

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/hoist-build/hoist/internal/stack"
)

// buildAndPull runs hoist build CONTEXT with args on the test stack,
// pushing ctx/REPO:v1 to registry a, and returns the pushed image.
func buildAndPull(t *testing.T, context, repo string, args ...string) v1.Image {
	t.Helper()
	mustHoist(t, append([]string{"build", context, "--image-name", "ctx/" + repo, "--tag", "v1", "--registry", "a",
		"--registries", registriesFile(t, ""), "--builder", bk.Addr, "--progress", "quiet"}, args...)...)
	return image(t, regA.Host+"/team-a/ctx/"+repo+":v1")
}

// withStdin runs f with os.Stdin reading data.
func withStdin(t *testing.T, data []byte, f func()) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	old := os.Stdin
	os.Stdin = in
	defer func() { os.Stdin = old }()
	f()
}

// tarOf returns a gzip tar holding name → content.
func tarOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for n, c := range files {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(c))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// TestBuildContextNamed: --build-context NAME=FOLDER (relative to the
// current folder) is what COPY --from=NAME copies from, and
// NAME=docker-image://REF is what FROM NAME builds on: the Dockerfile's
// base names an image no registry here holds, so the build only works
// through the named context.
func TestBuildContextNamed(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{
		"app/Dockerfile":      "FROM hoist.invalid/no/such-base:1\nCOPY --from=assets logo.txt /logo.txt\nCOPY app.txt /app.txt\n",
		"app/app.txt":         "app\n",
		"shared/logo.txt":     "the logo\n",
		"app/logo.txt":        "the wrong logo (from the main context)\n",
		"shared/.placeholder": "",
	})
	t.Chdir(dir)
	img := buildAndPull(t, "app", "named",
		"--build-context", "assets=shared", "--build-context", "hoist.invalid/no/such-base:1=docker-image://"+baseImage)
	if got, _ := fileInImage(t, img, "logo.txt"); got != "the logo\n" {
		t.Errorf("COPY --from=assets: /logo.txt = %q, want the named folder's", got)
	}
	if got, _ := fileInImage(t, img, "app.txt"); got != "app\n" {
		t.Errorf("/app.txt = %q, want the main context's", got)
	}
	base := image(t, baseImage)
	bl, _ := base.Layers()
	il, _ := img.Layers()
	bd, _ := bl[0].Digest()
	id, _ := il[0].Digest()
	if bd != id {
		t.Errorf("FROM the docker-image:// context: first layer %s, want the base's %s", id, bd)
	}
}

// TestBuildContextStdin: - reads a (gzip) tar of the context from stdin,
// and -f - reads the Dockerfile from stdin.
func TestBuildContextStdin(t *testing.T) {
	needStack(t)
	df := "ARG BASE\nFROM ${BASE}\nCOPY in.txt /in.txt\n"
	withStdin(t, tarOf(t, map[string]string{"Dockerfile": df, "in.txt": "from the tar\n"}), func() {
		img := buildAndPull(t, "-", "stdin-tar", "--build-arg", "BASE="+baseImage)
		if got, _ := fileInImage(t, img, "in.txt"); got != "from the tar\n" {
			t.Errorf("context tar on stdin: /in.txt = %q", got)
		}
	})
	dir := writeFiles(t, map[string]string{"in.txt": "from the folder\n", "Dockerfile": "FROM scratch\nCOPY nothing-here /\n"})
	withStdin(t, []byte(df), func() {
		img := buildAndPull(t, dir, "stdin-dockerfile", "-f", "-", "--build-arg", "BASE="+baseImage)
		if got, _ := fileInImage(t, img, "in.txt"); got != "from the folder\n" {
			t.Errorf("-f -: /in.txt = %q", got)
		}
	})
}

// gitServer serves the bare repositories under root over git's smart
// HTTP (git http-backend behind net/http/cgi) on 127.0.0.1, and returns
// its http://127.0.0.1:PORT address.
func gitServer(t *testing.T, root string) string {
	t.Helper()
	backend, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v", err)
	}
	h := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(backend)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// gitRepo makes a bare repository root/NAME.git whose tag v1 holds
// files1 and whose main branch then moves on to files2.
func gitRepo(t *testing.T, root, name string, files1, files2 map[string]string) {
	t.Helper()
	work := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", work, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(files map[string]string) {
		for n, c := range files {
			p := filepath.Join(work, n)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	git("init", "-q", "-b", "main")
	write(files1)
	git("add", "-A")
	git("commit", "-qm", "one")
	git("tag", "v1")
	write(files2)
	git("add", "-A")
	git("commit", "-qm", "two")
	if out, err := exec.Command("git", "clone", "-q", "--bare", work, filepath.Join(root, name+".git")).CombinedOutput(); err != nil {
		t.Fatalf("git clone --bare: %v\n%s", err, out)
	}
}

// TestBuildGitContext: a git URL as the context is fetched by the
// builder, at the ref and in the subfolder the URL names, with the
// Dockerfile from it; -f names a Dockerfile in the repository.
func TestBuildGitContext(t *testing.T) {
	needStack(t)
	root := t.TempDir()
	df := "ARG BASE\nFROM ${BASE}\nCOPY version.txt /version.txt\n"
	gitRepo(t, root, "app",
		map[string]string{"svc/Dockerfile": df, "svc/version.txt": "one\n", "svc/Dockerfile.alt": df + "RUN echo alt > /alt.txt\n"},
		map[string]string{"svc/version.txt": "two\n"})
	url := gitServer(t, root) + "/app.git"
	img := buildAndPull(t, url+"#v1:svc", "git-tag", "--build-arg", "BASE="+baseImage)
	if got, _ := fileInImage(t, img, "version.txt"); got != "one\n" {
		t.Errorf("%s#v1:svc: /version.txt = %q, want the tag's", url, got)
	}
	img = buildAndPull(t, url+"#main:svc", "git-main", "--build-arg", "BASE="+baseImage, "-f", "Dockerfile.alt")
	if got, _ := fileInImage(t, img, "version.txt"); got != "two\n" {
		t.Errorf("%s#main:svc: /version.txt = %q, want the branch's", url, got)
	}
	if got, _ := fileInImage(t, img, "alt.txt"); got != "alt\n" {
		t.Errorf("-f Dockerfile.alt in a git context: /alt.txt = %q, want the repository's Dockerfile.alt to have run", got)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if src := m.Annotations["org.opencontainers.image.source"]; src != url {
		t.Errorf("source annotation %q, want the git URL %s", src, url)
	}
	if rev, ok := m.Annotations["org.opencontainers.image.revision"]; ok {
		t.Errorf("revision annotation %q: the local checkout's revision says nothing of the git context", rev)
	}
}

// TestBuildxFlagsBadInput: each mistake in the buildx flags, the stdin
// context or a context URL is one line, exit 2.
func TestBuildxFlagsBadInput(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	evil := func() []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		tw.WriteHeader(&tar.Header{Name: "../evil", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
		tw.Write([]byte("x"))
		tw.Close()
		return buf.Bytes()
	}()
	for _, tc := range []struct {
		args  []string
		stdin []byte
		want  string
	}{
		{[]string{"--network", "bridge"}, nil, `hoist: --network: network mode "bridge": want default, none or host`},
		{[]string{"--add-host", "db.internal"}, nil, `hoist: --add-host "db.internal": want HOST:IP, e.g. db.internal:10.0.0.5`},
		{[]string{"--add-host", "db.internal:not-an-ip"}, nil, `hoist: --add-host "db.internal:not-an-ip": want HOST:IP, e.g. db.internal:10.0.0.5`},
		{[]string{"--allow", "root"}, nil, `hoist: --allow "root": want network.host or security.insecure`},
		{[]string{"--build-context", "assets"}, nil, `hoist: --build-context "assets": want NAME=VALUE, VALUE a folder, docker-image://REF, oci-layout://FOLDER[:TAG] or a git URL`},
		{[]string{"--build-context", "Assets=."}, nil, `hoist: --build-context "Assets=.": the name must be a valid image name`},
		{[]string{"--build-context", "assets=/nonexistent/assets"}, nil, `hoist: --build-context assets: /nonexistent/assets is not a folder`},
		{[]string{"--build-context", "assets=s3://bucket/assets"}, nil, `hoist: --build-context assets=s3://bucket/assets: want a folder, docker-image://REF, oci-layout://FOLDER[:TAG] or a git URL`},
		{[]string{"--build-context", "base=docker-image://Not/Valid"}, nil, `hoist: --build-context "base=docker-image://Not/Valid": image Not/Valid: invalid reference format: repository name (Valid) must be lowercase`},
		{[]string{"-"}, []byte{}, "hoist: -: stdin is empty; give a tar of the context, or a Dockerfile"},
		{[]string{"-"}, evil, "hoist: -: the context tar on stdin: ../evil: leads out of the context"},
		{[]string{"-", "-f", "-"}, []byte("FROM scratch\n"), "hoist: - as the context and -f - both read stdin: give the Dockerfile with -f FILE or inside the context tar"},
		{[]string{"-f", "-"}, []byte{}, "hoist: -f -: stdin is empty; give the Dockerfile's text on stdin"},
		{[]string{"https://example.com/app"}, nil, "hoist: build context https://example.com/app: want a folder, - (a tar on stdin) or a git URL such as https://host/repo.git#ref:subdir"},
	} {
		args := append([]string{"build", "--image-name", "acme/app", "--no-push", "--dry-run"}, tc.args...)
		if tc.args[0] != "-" && !strings.Contains(tc.args[0], "://") {
			args = append(args, dir)
		}
		var r result
		withStdin(t, tc.stdin, func() { r = hoist(t, args...) })
		if r.code != 2 || r.stderr != tc.want+"\n" {
			t.Errorf("hoist %v: exit %d, stderr %q; want exit 2, %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// TestBuildContextOCILayout: --build-context NAME=oci-layout://FOLDER:TAG
// builds FROM NAME on the image that tag names in a local OCI layout.
func TestBuildContextOCILayout(t *testing.T) {
	needStack(t)
	bb, err := stack.Busybox()
	if err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{"app/Dockerfile": "FROM base\nRUN echo on-the-layout > /o.txt\n"})
	lp, err := layout.Write(filepath.Join(dir, "layout"), empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(bb, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "v1"})); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	img := buildAndPull(t, "app", "oci-layout", "--build-context", "base=oci-layout://layout:v1")
	bl, _ := bb.Layers()
	il, _ := img.Layers()
	bd, _ := bl[0].Digest()
	id, _ := il[0].Digest()
	if bd != id {
		t.Errorf("FROM the oci-layout:// context: first layer %s, want the layout image's %s", id, bd)
	}
	if got, _ := fileInImage(t, img, "o.txt"); got != "on-the-layout\n" {
		t.Errorf("/o.txt = %q", got)
	}
}
