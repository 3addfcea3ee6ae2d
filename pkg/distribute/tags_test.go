package distribute

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// shortBackoff makes retries fast for one test, which must not run in
// parallel with others.
func shortBackoff(t *testing.T) {
	old := Backoff
	Backoff = remote.Backoff{Duration: 10 * time.Millisecond, Factor: 1, Steps: 3}
	t.Cleanup(func() { Backoff = old })
}

// isTagPut reports whether r writes a manifest by tag.
func isTagPut(r *http.Request, tag string) bool {
	return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/manifests/"+tag)
}

// tagged writes src to repo by digest and under tags, as an earlier
// release or another writer would.
func tagged(t *testing.T, src *Source, repo name.Repository, tags ...string) {
	t.Helper()
	if err := remote.Write(repo.Digest(src.Digest.String()), src.Image); err != nil {
		t.Fatal(err)
	}
	for _, tag := range tags {
		if err := remote.Tag(repo.Tag(tag), src.Image); err != nil {
			t.Fatal(err)
		}
	}
}

// changes returns the tag changes of a result without their error texts.
func changes(r *Result) []TagChange {
	var out []TagChange
	for _, c := range r.TagChanges {
		c.Error = ""
		out = append(out, c)
	}
	return out
}

// twoTargets returns targets in two registries, each repository holding
// old under v1 and nothing under v2.
func twoTargets(t *testing.T, old *Source) (*testRegistry, *testRegistry, []Target) {
	one, two := newTestRegistry(t), newTestRegistry(t)
	targets := []Target{
		{Registry: "one", Repo: one.repo(t, "app"), Tags: []string{"v1", "v2"}},
		{Registry: "two", Repo: two.repo(t, "app"), Tags: []string{"v1", "v2"}},
	}
	for _, tg := range targets {
		tagged(t, old, tg.Repo, "v1")
	}
	return one, two, targets
}

// TestTagFailureRestoresTags: target two answers 500 to every write of
// v2, after retries; target one had moved v1 and v2 by then, and gets
// both back: v1 its old digest, v2 (new in this run) deleted. Target two's
// v1 is put back too.
func TestTagFailureRestoresTags(t *testing.T) {
	shortBackoff(t)
	old, src := randomSource(t), randomSource(t)
	one, two, targets := twoTargets(t, old)
	oneDone := make(chan struct{})
	var closed atomic.Bool
	after := func(r *http.Request) {
		if isTagPut(r, "v2") && closed.CompareAndSwap(false, true) {
			close(oneDone)
		}
	}
	one.after.Store(&after)
	var attempts atomic.Int32
	fail := func(r *http.Request) int {
		if isTagPut(r, "v2") {
			<-oneDone // target one has moved both tags
			attempts.Add(1)
			return http.StatusInternalServerError
		}
		return 0
	}
	two.fail.Store(&fail)

	results, err := Copy(context.Background(), src, targets)
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("Copy() = %v, want ErrIncomplete", err)
	}
	t.Logf("Copy() error: %v", err)
	for _, r := range results {
		t.Logf("%s", r)
	}
	if attempts.Load() != 3 {
		t.Errorf("target two saw %d writes of v2, want 3 (retried)", attempts.Load())
	}
	for _, tg := range targets {
		if got := tagDigest(t, tg.Repo, "v1"); got != old.Digest.String() {
			t.Errorf("%s:v1 = %q, want the old %s", tg.Repo, got, old.Digest)
		}
		if got := tagDigest(t, tg.Repo, "v2"); got != "" {
			t.Errorf("%s:v2 = %q, want no tag, as before", tg.Repo, got)
		}
	}
	o := old.Digest.String()
	want := [][]TagChange{
		{{Tag: "v1", Before: o, After: o, Outcome: TagRestored}, {Tag: "v2", Outcome: TagRestored}},
		{{Tag: "v1", Before: o, After: o, Outcome: TagRestored}, {Tag: "v2", Outcome: TagNotMoved}},
	}
	for i, r := range results {
		if diff := cmp.Diff(want[i], changes(r)); diff != "" {
			t.Errorf("target %s tag changes (-want +got):\n%s", r.Registry, diff)
		}
	}
	if results[0].Status != StatusRolledBack || results[1].Status != StatusFailed {
		t.Errorf("statuses = %s, %s; want %s, %s", results[0].Status, results[1].Status, StatusRolledBack, StatusFailed)
	}
	for _, want := range []string{
		one.host + "/app rolled-back (restored v1 to its previous digest; removed v2, which did not exist before)",
		two.host + "/app failed (tagging " + two.host + "/app:v2: HTTP 500 from the registry; restored v1 to its previous digest; not moved v2)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\ndoes not say %q", err, want)
		}
	}
	data, _ := json.MarshalIndent(results[0], "", "  ")
	t.Logf("target one as JSON:\n%s", data)
}

// TestTagRestoreRefused: the registry refuses to delete a tag by name (as
// distribution 2.x does), so a tag that did not exist before cannot be
// put back; the result says so, with the registry's answer.
func TestTagRestoreRefused(t *testing.T) {
	shortBackoff(t)
	old, src := randomSource(t), randomSource(t)
	one, two, targets := twoTargets(t, old)
	refuseDelete := func(r *http.Request) int {
		if r.Method == http.MethodDelete {
			return http.StatusBadRequest
		}
		return 0
	}
	one.fail.Store(&refuseDelete)
	failV2 := func(r *http.Request) int {
		if isTagPut(r, "v2") {
			time.Sleep(20 * time.Millisecond)
			return http.StatusInternalServerError
		}
		return 0
	}
	two.fail.Store(&failV2)

	results, err := Copy(context.Background(), src, targets)
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("Copy() = %v, want ErrIncomplete", err)
	}
	t.Logf("Copy() error: %v", err)
	if got := tagDigest(t, targets[0].Repo, "v2"); got != src.Digest.String() {
		t.Fatalf("one app:v2 = %q; the test expects it left at %s", got, src.Digest)
	}
	r := results[0]
	t.Logf("%s", r)
	if r.Status != StatusNotRestored {
		t.Errorf("target one status = %s, want %s", r.Status, StatusNotRestored)
	}
	if c := r.TagChanges[1]; c.Outcome != TagNotRestored || c.After != src.Digest.String() || !strings.Contains(c.Error, "the registry refused to delete it (HTTP 400)") {
		t.Errorf("one v2 change = %+v, want not-restored, after %s, with the refusal", c, src.Digest)
	}
	if !strings.Contains(err.Error(), "tag v2 not restored: it holds "+src.Digest.String()+" and did not exist before: the registry refused to delete it (HTTP 400)") {
		t.Errorf("error %q does not name the tag left behind", err)
	}
	if got := tagDigest(t, targets[0].Repo, "v1"); got != old.Digest.String() {
		t.Errorf("one app:v1 = %q, want the old %s", got, old.Digest)
	}
}

// TestTagInterruptRestoresTags: ctx is cancelled as soon as target one
// has written v1, while target two's first tag write hangs. The restore
// runs on a context of its own: every tag ends as it was.
func TestTagInterruptRestoresTags(t *testing.T) {
	t.Parallel()
	old, src := randomSource(t), randomSource(t)
	one, two, targets := twoTargets(t, old)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	after := func(r *http.Request) {
		if isTagPut(r, "v1") {
			cancel()
		}
	}
	one.after.Store(&after)
	hang := func(r *http.Request) int {
		if isTagPut(r, "v1") {
			<-ctx.Done() // never lands
			return http.StatusServiceUnavailable
		}
		return 0
	}
	two.fail.Store(&hang)

	results, err := Copy(ctx, src, targets)
	if !errors.Is(err, ErrIncomplete) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Copy() = %v, want ErrIncomplete and context.Canceled", err)
	}
	t.Logf("Copy() error: %v", err)
	for _, tg := range targets {
		for tag, want := range map[string]string{"v1": old.Digest.String(), "v2": ""} {
			if got := tagDigest(t, tg.Repo, tag); got != want {
				t.Errorf("%s:%s = %q, want %q as before the run", tg.Repo, tag, got, want)
			}
		}
	}
	o := old.Digest.String()
	want := [][]TagChange{
		{{Tag: "v1", Before: o, After: o, Outcome: TagRestored}, {Tag: "v2", Outcome: TagNotMoved}},
		{{Tag: "v1", Before: o, After: o, Outcome: TagNotMoved}, {Tag: "v2", Outcome: TagNotMoved}},
	}
	for i, r := range results {
		t.Logf("%s", r)
		if diff := cmp.Diff(want[i], changes(r)); diff != "" {
			t.Errorf("target %s tag changes (-want +got):\n%s", r.Registry, diff)
		}
	}
	if results[0].Status != StatusRolledBack || results[1].Status != StatusNotTagged {
		t.Errorf("statuses = %s, %s; want %s, %s", results[0].Status, results[1].Status, StatusRolledBack, StatusNotTagged)
	}
	if !strings.Contains(err.Error(), "(context canceled while writing tags)") || !strings.Contains(err.Error(), "restored v1") {
		t.Errorf("error %q does not say the run was interrupted and v1 restored", err)
	}
}

// TestTagConcurrentWriter: another writer moves "live" at target one right
// after hoist wrote it there. Copy fails naming the tag, the repository
// and the other digest; hoist leaves the other writer's image in place at
// one and, at two, where the tag still held hoist's image, points it at
// the other image too, so both targets agree.
func TestTagConcurrentWriter(t *testing.T) {
	t.Parallel()
	old, src, other := randomSource(t), randomSource(t), randomSource(t)
	one, two := newTestRegistry(t), newTestRegistry(t)
	targets := []Target{
		{Registry: "one", Repo: one.repo(t, "app"), Tags: []string{"live"}},
		{Registry: "two", Repo: two.repo(t, "app"), Tags: []string{"live"}},
	}
	for _, tg := range targets {
		tagged(t, old, tg.Repo, "live")
		tagged(t, other, tg.Repo)
	}
	var moved atomic.Bool
	after := func(r *http.Request) {
		if isTagPut(r, "live") && moved.CompareAndSwap(false, true) {
			if err := remote.Tag(targets[0].Repo.Tag("live"), other.Image); err != nil {
				t.Errorf("the other writer: %v", err)
			}
		}
	}
	one.after.Store(&after)

	results, err := Copy(context.Background(), src, targets)
	if err == nil {
		t.Fatal("Copy() = nil, want an error: another writer moved the tag")
	}
	t.Logf("Copy() error: %v", err)
	for _, r := range results {
		t.Logf("%s", r)
	}
	want := one.host + "/app conflict (tag live now holds " + other.Digest.String() + ": another writer moved it while hoist wrote it)"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q\ndoes not say %q", err, want)
	}
	for _, tg := range targets {
		if got := tagDigest(t, tg.Repo, "live"); got != other.Digest.String() {
			t.Errorf("%s:live = %q, want the other writer's %s", tg.Repo, got, other.Digest)
		}
	}
	for _, r := range results {
		if r.Status != StatusConflict || len(r.Tags) != 0 {
			t.Errorf("target %s: status %s, tags %v; want %s, no tag", r.Registry, r.Status, r.Tags, StatusConflict)
		}
	}
}

// TestTagRetriesTransientFailure: one 503 on a tag write is retried.
func TestTagRetriesTransientFailure(t *testing.T) {
	shortBackoff(t)
	reg := newTestRegistry(t)
	var failed atomic.Bool
	once := func(r *http.Request) int {
		if isTagPut(r, "v1") && failed.CompareAndSwap(false, true) {
			return http.StatusServiceUnavailable
		}
		return 0
	}
	reg.fail.Store(&once)
	src := randomSource(t)
	results, err := Copy(context.Background(), src, []Target{{Repo: reg.repo(t, "app"), Tags: []string{"v1"}}})
	if err != nil || results[0].Status != StatusPushed || !failed.Load() {
		t.Fatalf("Copy() = %v, status %s; want nil, pushed after one 503", err, results[0].Status)
	}
	want := []TagChange{{Tag: "v1", After: src.Digest.String(), Outcome: TagMoved}}
	if diff := cmp.Diff(want, results[0].TagChanges); diff != "" {
		t.Errorf("tag changes (-want +got):\n%s", diff)
	}
}
