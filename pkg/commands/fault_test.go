package commands

import (
	"bytes"
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/internal/stack"
)

// The fault tests put a fault-injecting proxy in front of a real registry
// and push through it: each run must end (hangLimit) with the right exit
// code, report lines and tags at every registry.

// hangLimit is how long a faulted run may take before the test calls it
// a hang.
const hangLimit = 90 * time.Second

// testStall is the stall limit of the fault tests (30 s by default).
const testStall = 2 * time.Second

// shortStall makes registry requests that move no bytes for testStall
// fail, for the rest of the test.
func shortStall(t *testing.T) {
	old := stallLimit
	stallLimit = testStall
	t.Cleanup(func() { stallLimit = old })
}

// timedHoist runs hoist like hoist(t, ...), fails the test when it has
// not ended within hangLimit, and logs its exit code, time and output.
func timedHoist(t *testing.T, args ...string) (result, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangLimit)
	defer cancel()
	var out, errb bytes.Buffer
	start := time.Now()
	code := Execute(ctx, args, &out, &errb)
	took := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("hoist %s hung: not ended after %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), hangLimit, &out, &errb)
	}
	t.Logf("hoist %s: exit %d after %s\nstdout:\n%sstderr:\n%s", args[0], code, took.Round(time.Millisecond), &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}, took
}

// faultImage puts a new image at ref whose one layer is 16 MB of random
// bytes (more than a loopback connection buffers), and returns the
// image's and the layer's digests.
func faultImage(t *testing.T, ref string) (digest, layer string) {
	t.Helper()
	b := make([]byte, 16<<20)
	rand.Read(b)
	l := static.NewLayer(b, types.DockerLayer)
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	ld, _ := l.Digest()
	return put(t, img, authn.Anonymous, ref), ld.String()
}

// bigUpload matches the upload of a fault image's layer.
func bigUpload(r *http.Request) bool {
	return r.Method == http.MethodPatch && r.ContentLength > 4<<20
}

// firstOnly does f to the first request that match matches, and passes
// every other request on.
func firstOnly(match func(*http.Request) bool, f stack.Fault) func(*http.Request) stack.Fault {
	var done atomic.Bool
	return func(r *http.Request) stack.Fault {
		if match(r) && done.CompareAndSwap(false, true) {
			return f
		}
		return stack.Fault{}
	}
}

// flakyRegistries is the test registries plus flaky, the proxy's
// registry (insecure: plain HTTP), with prefix flaky.
func flakyRegistries(t *testing.T, proxy *stack.Proxy) string {
	return registriesFile(t, "  - name: flaky\n    domain: "+proxy.Host+"\n    insecure: true\n    prefix: flaky\n")
}

// hasLine reports whether out has a line that starts with start and ends
// with end: a target's report line, whatever it counted in between.
func hasLine(out, start, end string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, start) && strings.HasSuffix(l, end) {
			return true
		}
	}
	return false
}

// wantCancelled checks that the proxy passed n DELETEs of upload sessions
// in repo on, and that the registry cancelled each (204).
func wantCancelled(t *testing.T, proxy *stack.Proxy, repo string, n int) {
	t.Helper()
	got := proxy.Answers("DELETE /v2/" + repo + "/blobs/uploads/")
	if len(got) != n {
		t.Errorf("%d upload sessions cancelled in %s, want %d: %q", len(got), repo, n, got)
	}
	for _, a := range got {
		if !strings.HasSuffix(a, " 204") {
			t.Errorf("the registry did not cancel the session: %s", a)
		}
	}
}

// wantTags checks, with a HEAD at each registry, that every ref resolves
// to digest when want says true, and to nothing when it says false.
func wantTags(t *testing.T, digest string, want map[string]bool) {
	t.Helper()
	for ref, tagged := range want {
		got := digestOf(t, ref, nil)
		switch {
		case tagged && got != digest:
			t.Errorf("%s = %q, want %s", ref, got, digest)
		case !tagged && got != "":
			t.Errorf("%s = %s, want no such tag", ref, got)
		}
	}
}

// TestFaultResetMidBlob: the registry's connection resets in the middle
// of the layer upload: the session is cancelled, the upload is retried,
// and both targets get the image and its tag.
func TestFaultResetMidBlob(t *testing.T) {
	needStack(t)
	proxy := stack.StartFaultProxy(regB.Host, firstOnly(bigUpload, stack.Fault{Kind: stack.Reset, After: 1 << 20}))
	defer proxy.Close()
	src := regA.Host + "/src/fault-reset:v1"
	digest, _ := faultImage(t, src)
	r, _ := timedHoist(t, "push", src, "--registry", "flaky", "--registry", "b", "--image-name", "fault/reset", "--tag", "v1", "--registries", flakyRegistries(t, proxy))
	if r.code != 0 {
		t.Fatalf("exit %d, want 0", r.code)
	}
	for _, line := range []string{"pushed " + proxy.Host + "/flaky/fault/reset@" + digest + " tags v1", "pushed " + regB.Host + "/team-b/fault/reset@" + digest + " tags v1"} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("stdout does not say %q", line)
		}
	}
	wantTags(t, digest, map[string]bool{regB.Host + "/flaky/fault/reset:v1": true, regB.Host + "/team-b/fault/reset:v1": true})
	wantCancelled(t, proxy, "flaky/fault/reset", 1)
}

// TestFaultStallUpload: the registry stops reading the layer upload: after
// the stall limit the upload is given up, its session cancelled, and the
// retry succeeds.
func TestFaultStallUpload(t *testing.T) {
	needStack(t)
	shortStall(t)
	proxy := stack.StartFaultProxy(regB.Host, firstOnly(bigUpload, stack.Fault{Kind: stack.StallBody, After: 1 << 20}))
	defer proxy.Close()
	src := regA.Host + "/src/fault-stall-up:v1"
	digest, _ := faultImage(t, src)
	r, took := timedHoist(t, "push", src, "--registry", "flaky", "--image-name", "fault/stall-up", "--tag", "v1", "--registries", flakyRegistries(t, proxy))
	if r.code != 0 || !strings.Contains(r.stdout, "pushed "+proxy.Host+"/flaky/fault/stall-up@"+digest+" tags v1") {
		t.Fatalf("exit %d, want 0 and the target pushed", r.code)
	}
	if took < testStall {
		t.Errorf("the push took %s, less than the stall limit: was the upload stalled?", took)
	}
	wantTags(t, digest, map[string]bool{regB.Host + "/flaky/fault/stall-up:v1": true})
	wantCancelled(t, proxy, "flaky/fault/stall-up", 1)
}

// TestFaultStallDownload: the source registry stops sending the layer in
// the middle of a push: after the stall limit the read is given up and
// the blob read again, and the target gets the image.
func TestFaultStallDownload(t *testing.T) {
	needStack(t)
	shortStall(t)
	digest, layer := faultImage(t, regA.Host+"/src/fault-stall-down:v1")
	proxy := stack.StartFaultProxy(regA.Host, firstOnly(func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+layer)
	}, stack.Fault{Kind: stack.StallAnswer, After: 1 << 20}))
	defer proxy.Close()
	regs := registriesFile(t, "  - name: src\n    domain: "+proxy.Host+"\n    insecure: true\n")
	r, took := timedHoist(t, "push", proxy.Host+"/src/fault-stall-down:v1", "--registry", "b", "--image-name", "fault/stall-down", "--tag", "v1", "--registries", regs)
	if r.code != 0 || !strings.Contains(r.stdout, "pushed "+regB.Host+"/team-b/fault/stall-down@"+digest+" tags v1") {
		t.Fatalf("exit %d, want 0 and the target pushed", r.code)
	}
	if took < testStall {
		t.Errorf("the push took %s, less than the stall limit: was the download stalled?", took)
	}
	if n := len(proxy.Requests("GET /v2/src/fault-stall-down/blobs/" + layer)); n != 2 {
		t.Errorf("the layer was read %d times from the source, want 2 (stalled, then whole)", n)
	}
	wantTags(t, digest, map[string]bool{regB.Host + "/team-b/fault/stall-down:v1": true})
}

// TestFaultRetryAfter: the registry answers the manifest with 429 and
// Retry-After: 8; hoist waits the 8 s, then writes it.
func TestFaultRetryAfter(t *testing.T) {
	needStack(t)
	proxy := stack.StartFaultProxy(regB.Host, firstOnly(func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/")
	}, stack.Fault{Kind: stack.Answer, Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"8"}}}))
	defer proxy.Close()
	src := regA.Host + "/src/fault-limit:v1"
	digest, _ := faultImage(t, src)
	r, took := timedHoist(t, "push", src, "--registry", "flaky", "--registry", "b", "--image-name", "fault/limit", "--tag", "v1", "--registries", flakyRegistries(t, proxy))
	if r.code != 0 || !strings.Contains(r.stdout, "pushed "+proxy.Host+"/flaky/fault/limit@"+digest+" tags v1") {
		t.Fatalf("exit %d, want 0 and the target pushed", r.code)
	}
	if took < 8*time.Second {
		t.Errorf("the push took %s: the registry asked for 8 s", took)
	}
	if n := len(proxy.Requests("PUT /v2/flaky/fault/limit/manifests/sha256:")); n != 2 {
		t.Errorf("%d manifest PUTs by digest, want 2 (limited, then written)", n)
	}
	wantTags(t, digest, map[string]bool{regB.Host + "/flaky/fault/limit:v1": true, regB.Host + "/team-b/fault/limit:v1": true})
}

// TestFaultStallGivesUp: a registry that stalls every upload fails its
// target after the retries, within the stall limit times the tries; the
// other target holds the image by digest, and no tag moves anywhere.
func TestFaultStallGivesUp(t *testing.T) {
	needStack(t)
	shortStall(t)
	var stalled atomic.Int32
	proxy := stack.StartFaultProxy(regB.Host, func(r *http.Request) stack.Fault {
		if bigUpload(r) {
			stalled.Add(1)
			return stack.Fault{Kind: stack.StallBody, After: 1 << 20}
		}
		return stack.Fault{}
	})
	defer proxy.Close()
	src := regA.Host + "/src/fault-giveup:v1"
	digest, _ := faultImage(t, src)
	r, took := timedHoist(t, "push", src, "--registry", "flaky", "--registry", "b", "--image-name", "fault/giveup", "--tag", "v1",
		"--retries", "1", "--registries", flakyRegistries(t, proxy))
	if r.code != 1 {
		t.Fatalf("exit %d, want 1", r.code)
	}
	if !hasLine(r.stdout, "failed "+proxy.Host+"/flaky/fault/giveup@"+digest, "): stalled: no bytes for 2s while sending the request") {
		t.Error("stdout does not report the stalled target as failed")
	}
	if !hasLine(r.stdout, "not-tagged "+regB.Host+"/team-b/fault/giveup@"+digest, ")") {
		t.Error("stdout does not report the other target as not tagged")
	}
	if want := "hoist: not every target was written: " + proxy.Host + "/flaky/fault/giveup failed (stalled: no bytes for 2s while sending the request)\n"; r.stderr != want {
		t.Errorf("stderr = %q, want %q", r.stderr, want)
	}
	if took < 2*testStall || took > 2*testStall+20*time.Second {
		t.Errorf("took %s, want about two stall limits (%s)", took, 2*testStall)
	}
	if n := stalled.Load(); n != 2 {
		t.Errorf("%d uploads of the layer, want 2 (--retries 1)", n)
	}
	wantCancelled(t, proxy, "flaky/fault/giveup", 2)
	wantTags(t, digest, map[string]bool{
		regB.Host + "/flaky/fault/giveup:v1":         false,
		regB.Host + "/team-b/fault/giveup:v1":        false,
		regB.Host + "/team-b/fault/giveup@" + digest: true,
	})
}

// TestFaultPlainHTTP: an integration on a plain-HTTP registry without
// insecure: true gets no request at all, so no password: the push fails
// at once with one line saying how to allow it, and the other target is
// not tagged. A host in no integration is refused the same way, and
// registries check says so.
func TestFaultPlainHTTP(t *testing.T) {
	needStack(t)
	t.Setenv("TEST_SECURE_PASSWORD", securePassword)
	proxy := stack.StartProxy(regSecure.Host, nil)
	defer proxy.Close()
	src := regA.Host + "/src/fault-plain:v1"
	digest, _ := faultImage(t, src)
	regs := registriesFile(t, "  - name: plain\n    domain: "+proxy.Host+"\n    username: "+secureUser+"\n    password_env: TEST_SECURE_PASSWORD\n")
	r, took := timedHoist(t, "push", src, "--registry", "plain", "--registry", "b", "--image-name", "fault/plain", "--tag", "v1", "--registries", regs)
	refusal := `registry "plain" (` + proxy.Host + `): refusing plain HTTP: the registry did not answer over HTTPS; set insecure: true on the integration to allow it`
	if r.code != 1 || !hasLine(r.stdout, "failed "+proxy.Host+"/fault/plain@"+digest, "): "+refusal) || !hasLine(r.stdout, "not-tagged "+regB.Host+"/team-b/fault/plain@"+digest, ")") {
		t.Errorf("exit %d, want 1, the plain target failed with %q and b not tagged", r.code, refusal)
	}
	if want := "hoist: not every target was written: " + proxy.Host + "/fault/plain failed (" + refusal + ")\n"; r.stderr != want {
		t.Errorf("stderr = %q, want %q", r.stderr, want)
	}
	if took > 10*time.Second {
		t.Errorf("the refused push took %s: was the refusal retried?", took)
	}

	r, _ = timedHoist(t, "tag", src, proxy.Host+"/bare/fault-plain:v1", "--registries", registriesFile(t, ""))
	bare := "registry " + proxy.Host + ": refusing plain HTTP: the registry did not answer over HTTPS; it is in no integration: add one with domain: " + proxy.Host + " and insecure: true to allow it"
	if r.code != 1 || !strings.Contains(r.stderr, bare) {
		t.Errorf("tag to a bare host: exit %d, want 1 and %q", r.code, bare)
	}

	r, _ = timedHoist(t, "registries", "check", "--registries", regs)
	if line := "plain " + proxy.Host + " failed: refusing plain HTTP: the registry did not answer over HTTPS; set insecure: true on the integration to allow it"; r.code != 1 || !strings.Contains(strings.Join(strings.Fields(r.stdout), " "), line) {
		t.Errorf("registries check: exit %d, want 1 and %q", r.code, line)
	}

	t.Logf("the plain-HTTP registry saw %d connections (TLS attempts), %d requests, %d with credentials", proxy.Conns.Load(), len(proxy.Requests("")), len(proxy.Authorized()))
	if got := proxy.Requests(""); len(got) != 0 {
		t.Errorf("the plain-HTTP registry got requests: %q", got)
	}
	if got := proxy.Authorized(); len(got) != 0 {
		t.Errorf("credentials went over plain HTTP: %q", got)
	}
	secure := &authn.Basic{Username: secureUser, Password: securePassword}
	for _, ref := range []string{regSecure.Host + "/fault/plain@" + digest, regSecure.Host + "/bare/fault-plain:v1"} {
		if d := digestOf(t, ref, secure); d != "" {
			t.Errorf("the registry behind the refused proxy holds %s: %s", ref, d)
		}
	}
	wantTags(t, digest, map[string]bool{regB.Host + "/team-b/fault/plain:v1": false})
}
