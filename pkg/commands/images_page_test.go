package commands

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/hoist-build/hoist/internal/stack"
)

// chromium runs headless Chromium on url with args (--dump-dom,
// --screenshot=...) and returns its stdout.
func chromium(t *testing.T, bin, url string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--no-first-run", "--user-data-dir=" + t.TempDir(), "--virtual-time-budget=10000", "--window-size=1280,300"}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), url)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

// rows returns the text of each cell of the rendered rows of class cls.
func rows(dom, cls string) [][]string {
	var out [][]string
	for _, m := range regexp.MustCompile(`(?s)<tr class="`+cls+`"[^>]*>(.*?)</tr>`).FindAllStringSubmatch(dom, -1) {
		var cells []string
		for _, c := range regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(m[1], -1) {
			text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(strings.ReplaceAll(c[1], "</span>", " "), "")
			cells = append(cells, strings.TrimSpace(text))
		}
		out = append(out, cells)
	}
	return out
}

// TestImagesServePage: hoist images serve against real registries (one
// with a password) serves a page that headless Chromium renders with one
// row per image: tags, registries, commit, branch and the metadata set
// after the build; a digest's page says where it is stored; no response
// or page holds the password.
func TestImagesServePage(t *testing.T) {
	if testing.Short() {
		t.Skip(needsRegistries + " and chromium")
	}
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (hack/setup.sh installs it): the page is not tested in a browser")
	}
	const canary = "canary-Pa55-71be4"
	dev, err := stack.StartRegistry(stack.RegistryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Stop()
	prod, err := stack.StartRegistry(stack.RegistryOptions{Username: "viewer", Password: canary})
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Stop()
	auth := &authn.Basic{Username: "viewer", Password: canary}
	app := labelled(t, "4f2a9c1e0b7d", "main")
	dApp := put(t, app, authn.Anonymous, dev.Host+"/shop/app:1.4", dev.Host+"/shop/app:latest")
	put(t, app, auth, prod.Host+"/shop/app:1.4")
	put(t, labelled(t, "9be01d77aa31", "feature/cart"), authn.Anonymous, dev.Host+"/shop/cart:pr-42")
	put(t, labelled(t, "c0ffee12ab34", "main"), authn.Anonymous, dev.Host+"/shop/worker:2.0")
	regs := filepath.Join(writeFiles(t, map[string]string{"r.yaml": fmt.Sprintf(`registries:
  - name: dev
    domain: %s
    insecure: true
    prefix: shop
  - name: prod
    domain: %s
    insecure: true
    prefix: shop
    username: viewer
    password: %s
`, dev.Host, prod.Host, canary)}), "r.yaml")
	mustHoist(t, "annotate", dev.Host+"/shop/app:1.4", "qa=passed", "ticket=REL-12", "--registries", regs)
	mustHoist(t, "annotate", prod.Host+"/shop/app:1.4", "qa=passed", "--registries", regs)

	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Execute(ctx, []string{"images", "serve", "--listen", "127.0.0.1:0", "--registries", regs}, io.Discard, &stderr)
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("images serve: exit %d\n%s", code, stderr.String())
		}
	}()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(stderr.String()); m != "" {
			url = m
		}
	}
	if url == "" {
		t.Fatalf("images serve did not say where it listens:\n%s", stderr.String())
	}

	dom := chromium(t, bin, url, "--dump-dom")
	got := map[string]string{}
	for _, r := range rows(dom, "image") {
		if len(r) != 9 {
			t.Fatalf("row %q: want 9 cells", r)
		}
		got[r[0]] = strings.Join([]string{r[1], r[3], r[5], r[6], r[8]}, " | ")
	}
	want := map[string]string{
		"app":    "1.4, latest | dev, prod | 4f2a9c1 | main | qa=passed ticket=REL-12",
		"cart":   "pr-42 | dev | 9be01d7 | feature/cart | -",
		"worker": "2.0 | dev | c0ffee1 | main | -",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rendered rows = %v\nwant %v\ndom:\n%s", got, want, dom)
	}

	where := chromium(t, bin, url+"#"+dApp, "--dump-dom")
	var locs []string
	for _, r := range rows(where, "location") {
		locs = append(locs, strings.Join(r, " | "))
	}
	wantLocs := []string{
		"dev | " + dev.Host + "/shop/app | 1.4, latest | qa=passed ticket=REL-12",
		"prod | " + prod.Host + "/shop/app | 1.4 | qa=passed",
	}
	if strings.Join(locs, "\n") != strings.Join(wantLocs, "\n") {
		t.Errorf("digest page rows = %q, want %q", locs, wantLocs)
	}

	shot := filepath.Join(t.TempDir(), "page.png")
	if dst := os.Getenv("HOIST_PAGE_SCREENSHOT"); dst != "" {
		shot = dst
	}
	chromium(t, bin, url, "--screenshot="+shot)
	if st, err := os.Stat(shot); err != nil || st.Size() < 1000 {
		t.Errorf("screenshot %s: %v", shot, err)
	}

	for _, path := range []string{"", "api/images", "api/images/" + dApp, "api/images?registry=prod"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || strings.Contains(string(body), canary) {
			t.Errorf("GET /%s = %d; holds the password: %v", path, resp.StatusCode, strings.Contains(string(body), canary))
		}
	}
	if strings.Contains(dom, canary) || strings.Contains(where, canary) {
		t.Errorf("the rendered page holds the password")
	}
}
