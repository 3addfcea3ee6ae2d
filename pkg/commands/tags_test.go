package commands

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/hoist-build/hoist/internal/stack"
)

// twoRegistries writes a registries file with integrations one and two,
// without prefixes, at the hosts a and b, and src at registry a (where the
// tests' sources are) when neither is; all plain-HTTP loopback registries,
// so insecure.
func twoRegistries(t *testing.T, a, b string) string {
	t.Helper()
	src := ""
	if a != regA.Host && b != regA.Host {
		src = fmt.Sprintf("  - name: src\n    provider: other\n    domain: %s\n    insecure: true\n", regA.Host)
	}
	return filepath.Join(writeFiles(t, map[string]string{"r.yaml": fmt.Sprintf(`registries:
  - name: one
    provider: other
    domain: %s
    insecure: true
  - name: two
    provider: other
    domain: %s
    insecure: true
%s`, a, b, src)}), "r.yaml")
}

// newImage pushes a new random image to ref and returns its digest.
func newImage(t *testing.T, refs ...string) string {
	t.Helper()
	img, err := random.Image(2048, 2)
	if err != nil {
		t.Fatal(err)
	}
	return put(t, img, authn.Anonymous, refs...)
}

// tagDigests returns what each tag holds in repo: tag → digest ("" when absent).
func tagDigests(t *testing.T, repo string, tags []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tag := range tags {
		out[tag] = digestOf(t, repo+":"+tag, nil)
	}
	return out
}

// isTagWrite reports whether r writes a manifest by tag (not by digest).
func isTagWrite(r *http.Request) bool {
	return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") && !strings.Contains(r.URL.Path, "/manifests/sha256:")
}

// exitCode is the exit code of a finished command.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestTagWriteFailureRestoresTags: registry two answers 500 to every write
// of tag t2, retries included. Registry one had moved t1–t3 by then;
// hoist moves them back, and t1 at two too: afterwards every tag holds
// the old image at both registries, and hoist exits 1 saying so.
func TestTagWriteFailureRestoresTags(t *testing.T) {
	needStack(t)
	t.Parallel()
	tags := []string{"t1", "t2", "t3"}
	var refused atomic.Int32
	proxy := stack.StartProxy(regB.Host, func(r *http.Request) int {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/tags500/app/manifests/t2") {
			refused.Add(1)
			return http.StatusInternalServerError
		}
		return 0
	})
	defer proxy.Close()
	old := newImage(t, regA.Host+"/tags500/app:t1", regA.Host+"/tags500/app:t2", regA.Host+"/tags500/app:t3",
		regB.Host+"/tags500/app:t1", regB.Host+"/tags500/app:t2", regB.Host+"/tags500/app:t3")
	src := regA.Host + "/src/tags500:new"
	digest := newImage(t, src)
	regs := twoRegistries(t, regA.Host, proxy.Host)
	meta := filepath.Join(t.TempDir(), "push.json")

	start := time.Now()
	r := hoist(t, "push", src, "--registry", "one", "--registry", "two", "--tag", "t1", "--tag", "t2", "--tag", "t3",
		"--image-name", "tags500/app", "--registries", regs, "--metadata-file", meta)
	t.Logf("exit %d after %v, t2 refused %d times\nstdout:\n%sstderr:\n%s", r.code, time.Since(start).Round(time.Millisecond), refused.Load(), r.stdout, r.stderr)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	for _, repo := range []string{regA.Host + "/tags500/app", regB.Host + "/tags500/app"} {
		for tag, got := range tagDigests(t, repo, tags) {
			if got != old {
				t.Errorf("%s:%s = %q, want the old %s (the new one is %s)", repo, tag, got, old, digest)
			}
		}
	}
	_, res := pushMeta(t, meta)
	if res["one"].Status != "rolled-back" || res["two"].Status != "failed" {
		t.Errorf("statuses one %s, two %s; want rolled-back, failed", res["one"].Status, res["two"].Status)
	}
	for _, want := range []string{
		regA.Host + "/tags500/app rolled-back (restored t1,t2,t3 to their previous digests)",
		proxy.Host + "/tags500/app failed (tagging " + proxy.Host + "/tags500/app:t2: HTTP 500 from the registry; restored t1 to its previous digest; not moved t2,t3)",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not say %q", want)
		}
	}
	if refused.Load() < 2 {
		t.Errorf("t2 was written %d times at two; want retries", refused.Load())
	}
}

// TestTagRestoreRefused: a tag new in this run cannot be removed again
// from the distribution registry, which refuses deleting by tag; hoist
// exits 1 and says which tag it left behind, and why.
func TestTagRestoreRefused(t *testing.T) {
	needStack(t)
	t.Parallel()
	proxy := stack.StartProxy(regB.Host, func(r *http.Request) int {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/tagsnew/app/manifests/fresh") {
			return http.StatusInternalServerError
		}
		return 0
	})
	defer proxy.Close()
	old := newImage(t, regA.Host+"/tagsnew/app:t1", regB.Host+"/tagsnew/app:t1")
	src := regA.Host + "/src/tagsnew:new"
	digest := newImage(t, src)
	regs := twoRegistries(t, regA.Host, proxy.Host)
	meta := filepath.Join(t.TempDir(), "push.json")

	r := hoist(t, "push", src, "--registry", "one", "--registry", "two", "--tag", "t1", "--tag", "fresh",
		"--image-name", "tagsnew/app", "--registries", regs, "--metadata-file", meta)
	t.Logf("exit %d\nstdout:\n%sstderr:\n%s", r.code, r.stdout, r.stderr)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if got := digestOf(t, regA.Host+"/tagsnew/app:t1", nil); got != old {
		t.Errorf("one t1 = %q, want the old %s", got, old)
	}
	if got := digestOf(t, regA.Host+"/tagsnew/app:fresh", nil); got != digest {
		t.Errorf("one fresh = %q; the test expects the registry to keep it at %s", got, digest)
	}
	_, res := pushMeta(t, meta)
	if res["one"].Status != "not-restored" {
		t.Errorf("one's status = %s, want not-restored", res["one"].Status)
	}
	want := "tag fresh not restored: it holds " + digest + " and did not exist before: the registry refused to delete it (HTTP 400 DIGEST_INVALID"
	if !strings.Contains(r.stderr, want) || !strings.Contains(r.stdout, want) {
		t.Errorf("stdout and stderr do not say %q", want)
	}
}

// TestTagInterruptLeavesNoSplit runs the hoist binary. Registry one's
// proxy holds the first tag write until the test has seen registry two
// move all five tags and sent SIGINT: hoist puts two's tags back, so no
// tag is split, and exits non-zero.
func TestTagInterruptLeavesNoSplit(t *testing.T) {
	needStack(t)
	t.Parallel()
	bin := hoistBinary(t)
	tags := []string{"t1", "t2", "t3", "t4", "t5"}
	held, release := make(chan struct{}), make(chan struct{})
	var holding atomic.Bool
	proxy := stack.StartHandlerProxy(regA.Host, func(w http.ResponseWriter, r *http.Request, pass http.Handler) {
		if isTagWrite(r) && holding.CompareAndSwap(false, true) {
			// Read the body, so the server notices when hoist hangs up.
			io.Copy(io.Discard, r.Body)
			close(held)
			select { // never passed on
			case <-r.Context().Done():
			case <-release:
			}
			http.Error(w, "held", http.StatusServiceUnavailable)
			return
		}
		pass.ServeHTTP(w, r)
	})
	defer proxy.Close()
	defer close(release)
	var refs []string
	for _, tag := range tags {
		refs = append(refs, regA.Host+"/sigint/app:"+tag, regB.Host+"/sigint/app:"+tag)
	}
	old := newImage(t, refs...)
	src := regA.Host + "/src/sigint:new"
	digest := newImage(t, src)
	regs := twoRegistries(t, proxy.Host, regB.Host)

	args := []string{"push", src, "--registry", "one", "--registry", "two", "--image-name", "sigint/app", "--registries", regs}
	for _, tag := range tags {
		args = append(args, "--tag", tag)
	}
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-held:
	case err := <-done:
		t.Fatalf("hoist ended before its first tag write: %v\n%s", err, stderr.String())
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no tag write reached registry one in 60 s")
	}
	// Registry two moves all five tags meanwhile.
	deadline := time.Now().Add(20 * time.Second)
	for {
		moved := 0
		for _, got := range tagDigests(t, regB.Host+"/sigint/app", tags) {
			if got == digest {
				moved++
			}
		}
		if moved == len(tags) {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("registry two moved %d of %d tags in 20 s", moved, len(tags))
		}
		time.Sleep(20 * time.Millisecond)
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("hoist did not end within 60 s of SIGINT")
	}
	code := exitCode(err)
	t.Logf("SIGINT with two's five tags moved and one's first held: exit %d, %v after the signal\nstdout:\n%sstderr:\n%s",
		code, time.Since(sent).Round(time.Millisecond), stdout.String(), stderr.String())
	if code == 0 {
		t.Error("exit 0 after SIGINT, want non-zero")
	}
	for _, repo := range []string{regA.Host + "/sigint/app", regB.Host + "/sigint/app"} {
		for tag, got := range tagDigests(t, repo, tags) {
			if got != old {
				t.Errorf("%s:%s = %q, want the old %s as before the run", repo, tag, got, old)
			}
		}
	}
	if want := "restored t1,t2,t3,t4,t5 to their previous digests"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr does not say %q", want)
	}
}

// barrier holds the first n tag writes through the proxies until all n
// have come, then passes them on proxy by proxy, in the order they came
// or, for proxies in reverse, in the opposite order, and answers them
// only once all n have reached the registries. Every run's tags thus land
// before any run checks them, so each round is a real race and a run
// that exits 0 may be held to having its image under the tag at the end
// (without the barrier, a run that ended before another began tagging
// would rightly exit 0 and be overwritten later). With a proxy in
// reverse, the last write at one registry is the first at the other: the
// tag is split, and hoist has to notice and mend it.
type barrier struct {
	mu      sync.Mutex
	n       int
	reverse map[string]bool
	queues  map[string][]*held
	taken   int
	applied chan struct{}
	// landed, when set, is called once all n writes have landed, before
	// any is answered.
	landed func()
}

// held is one tag write waiting for its turn.
type held struct{ turn, done chan struct{} }

func newBarrier(n int, reverse map[string]bool) *barrier {
	return &barrier{n: n, reverse: reverse, queues: map[string][]*held{}, applied: make(chan struct{})}
}

// handler is the stack.StartHandlerProxy handler of the proxy named proxy.
func (b *barrier) handler(proxy string) func(w http.ResponseWriter, r *http.Request, pass http.Handler) {
	return func(w http.ResponseWriter, r *http.Request, pass http.Handler) {
		b.mu.Lock()
		if !isTagWrite(r) || b.taken == b.n {
			b.mu.Unlock()
			pass.ServeHTTP(w, r)
			return
		}
		h := &held{turn: make(chan struct{}), done: make(chan struct{})}
		b.queues[proxy] = append(b.queues[proxy], h)
		if b.taken++; b.taken == b.n {
			go b.release()
		}
		b.mu.Unlock()
		timeout := time.After(20 * time.Second)
		select {
		case <-h.turn:
		case <-timeout:
		}
		rec := httptest.NewRecorder()
		pass.ServeHTTP(rec, r)
		close(h.done)
		select {
		case <-b.applied:
		case <-timeout:
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}
}

// release passes the held writes on, one proxy after the other, then lets
// them be answered.
func (b *barrier) release() {
	b.mu.Lock()
	queues := map[string][]*held{}
	for p, q := range b.queues {
		queues[p] = slices.Clone(q)
		if b.reverse[p] {
			slices.Reverse(queues[p])
		}
	}
	b.mu.Unlock()
	for _, proxy := range []string{"one", "two"} {
		for _, h := range queues[proxy] {
			close(h.turn)
			<-h.done
		}
	}
	if b.landed != nil {
		b.landed()
	}
	close(b.applied)
}

// TestConcurrentPushesAgree: five hoist processes push five images to one
// tag at two registries at once, eight times, through the barrier: in
// rounds 1–4 both registries take the writes in the order they come, in
// rounds 5–8 registry two takes them in the opposite order, which splits
// the tag. In every round both registries end with the same image under
// the tag, every run that exits 0 has its image there, and every other
// run exits 1 naming the tag. Four more rounds without the barrier check
// that the registries agree at natural timing too.
func TestConcurrentPushesAgree(t *testing.T) {
	needStack(t)
	t.Parallel()
	bin := hoistBinary(t)
	const runs, rounds = 5, 8
	var cur atomic.Pointer[barrier]
	handle := func(proxy string) func(w http.ResponseWriter, r *http.Request, pass http.Handler) {
		return func(w http.ResponseWriter, r *http.Request, pass http.Handler) { cur.Load().handler(proxy)(w, r, pass) }
	}
	pa, pb := stack.StartHandlerProxy(regA.Host, handle("one")), stack.StartHandlerProxy(regB.Host, handle("two"))
	defer pa.Close()
	defer pb.Close()
	regs := twoRegistries(t, pa.Host, pb.Host)
	old := newImage(t, regA.Host+"/race/app:live", regB.Host+"/race/app:live")
	t.Logf("before round 1 both registries hold %s under race/app:live", old)

	// Then four rounds as they come, without the barrier: the registries
	// must still agree, but a run that finished before another one wrote
	// the tag exits 0 and is overwritten, as with any later push.
	for round := 1; round <= rounds+4; round++ {
		synced := round <= rounds
		srcs, digests := make([]string, runs), make([]string, runs)
		for i := range runs {
			srcs[i] = fmt.Sprintf("%s/src/race:r%d-%d", regA.Host, round, i)
			digests[i] = newImage(t, srcs[i])
		}
		whose := func(d string) string {
			if i := slices.Index(digests, d); i >= 0 {
				return fmt.Sprintf("run %d", i)
			}
			return "no run of this round"
		}
		bar := newBarrier(2*runs, map[string]bool{"two": round > rounds/2})
		if !synced {
			bar = newBarrier(0, nil)
		}
		landed := "without the barrier"
		bar.landed = func() {
			landed = fmt.Sprintf("once all writes landed one held %s's image, two %s's", whose(digestOf(t, regA.Host+"/race/app:live", nil)), whose(digestOf(t, regB.Host+"/race/app:live", nil)))
		}
		cur.Store(bar)
		codes, took, stderrs := make([]int, runs), make([]time.Duration, runs), make([]string, runs)
		var wg sync.WaitGroup
		for i := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, bin, "push", srcs[i], "--registry", "one", "--registry", "two", "--tag", "live", "--image-name", "race/app", "--registries", regs)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				start := time.Now()
				codes[i] = exitCode(cmd.Run())
				took[i], stderrs[i] = time.Since(start), stderr.String()
			}()
		}
		wg.Wait()
		a := digestOf(t, regA.Host+"/race/app:live", nil)
		b := digestOf(t, regB.Host+"/race/app:live", nil)
		var summary []string
		for i := range runs {
			summary = append(summary, fmt.Sprintf("run %d exit %d in %v", i, codes[i], took[i].Round(time.Millisecond)))
		}
		t.Logf("round %d: %s; %s; at the end one holds %s's, two %s's", round, strings.Join(summary, ", "), landed, whose(a), whose(b))
		if a != b || a == "" {
			t.Errorf("round %d: registries disagree: one holds %q, two holds %q", round, a, b)
		}
		for i := range runs {
			switch {
			case codes[i] == 0 && (a != digests[i] || b != digests[i]) && !synced:
				t.Logf("round %d: run %d exited 0; a later run overwrote its image", round, i)
			case codes[i] == 0 && (a != digests[i] || b != digests[i]):
				t.Errorf("round %d: run %d exited 0 but the tag holds %s and %s, not its %s", round, i, a, b, digests[i])
			case codes[i] != 0 && (codes[i] != 1 || !strings.Contains(stderrs[i], "tag live")):
				t.Errorf("round %d: run %d exited %d; want 1 with an error naming tag live:\n%s", round, i, codes[i], stderrs[i])
			}
			if codes[i] != 0 && round == 1 && i == 0 {
				t.Logf("round 1, run 0's error: %s", strings.TrimSpace(stderrs[i]))
			}
		}
	}
}

// TestBadNamesUploadNothing: empty and overlong tags and repository names
// that would leave the registry's path are input errors (exit 2, one
// line), found before hoist sends any request to the target registry.
func TestBadNamesUploadNothing(t *testing.T) {
	needStack(t)
	t.Parallel()
	proxy := stack.StartProxy(regB.Host, nil)
	defer proxy.Close()
	src := regA.Host + "/src/badnames:v1"
	newImage(t, src)
	regs := twoRegistries(t, regA.Host, proxy.Host)
	long := strings.Repeat("a", 129)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"push", src, "--registry", "two", "--tag", ""}, `hoist: --tag: invalid tag "": tags are up to 128 letters, digits, _, . and -, not starting with . or -` + "\n"},
		{[]string{"push", src, "--registry", "two", "--tag", long}, `hoist: --tag: invalid tag "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"… (129 characters): tags are up to 128 letters, digits, _, . and -, not starting with . or -` + "\n"},
		{[]string{"push", src, "--registry", "two", "--image-name", "a/../b"}, `hoist: image name "a/../b" in registry "two" (PROXY): path component ".." is not lowercase letters and digits joined by ., _, __ or -` + "\n"},
		{[]string{"push", src, "--registry", "two", "--image-name", "a//b"}, `hoist: image name "a//b" in registry "two" (PROXY): it has an empty path component (a leading, trailing or double /)` + "\n"},
		{[]string{"promote", src, "--to", "two", "--tag", ""}, `hoist: --tag: invalid tag ""`},
		{[]string{"promote", src, "--to", "two", "--image-name", "x/./y"}, `hoist: image name "x/./y" in registry "two" (PROXY): path component "."`},
		{[]string{"tag", src, "PROXY/a/../b:v1"}, `hoist: PROXY/a/../b:v1: invalid repository "PROXY/a/../b": path component ".."`},
		{[]string{"tag", src, "PROXY/a//b:v1"}, `hoist: PROXY/a//b:v1: invalid repository "PROXY/a//b": it has an empty path component`},
		{[]string{"tag", src, "PROXY/repo:" + long}, `hoist: PROXY/repo:` + long + `: not a full image reference with a tag`},
	} {
		args := append([]string{}, tc.args...)
		for i := range args {
			args[i] = strings.ReplaceAll(args[i], "PROXY", proxy.Host)
		}
		args = append(args, "--registries", regs)
		r := hoist(t, args...)
		want := strings.ReplaceAll(tc.want, "PROXY", proxy.Host)
		if r.code != 2 || !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("hoist %s: exit %d, stderr %q; want exit 2 and one line starting %q", strings.Join(args, " "), r.code, r.stderr, want)
		}
	}
	if reqs := proxy.Requests(""); len(reqs) != 0 {
		t.Errorf("the target registry saw %d requests, want none: %v", len(reqs), reqs)
	}

	// A tag with ".." is one the spec's grammar and the registry accept.
	r := mustHoist(t, "tag", src, proxy.Host+"/badnames/app:bad..tag", "--registries", regs)
	t.Logf("hoist tag %s %s/badnames/app:bad..tag: exit %d: %s", src, proxy.Host, r.code, strings.TrimSpace(r.stdout))
}
