package progress

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"
)

func TestStepsKeepTheSameVertexApart(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	p := newPrinter(t, &out, ModePlain)
	sendBuild(p.Step("a"), "hi from a")
	sendBuild(p.Step("b"), "hi from b")
	if err := closeWithin(t, p); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	got, rest := vertices(out.String())
	want := map[string][]string{
		"[a] RUN echo hi": {"hi from a", "DONE"},
		"[b] RUN echo hi": {"hi from b", "DONE"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plain output by vertex (-want +got):\n%s\noutput:\n%s", diff, out.String())
	}
	if len(rest) != 0 {
		t.Errorf("lines outside vertices = %q, want none", rest)
	}
}

func TestSingleBuildKeepsItsNames(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	p := newPrinter(t, &out, ModePlain)
	sendBuild(p.Step(), "hi")
	closeWithin(t, p)
	got, _ := vertices(out.String())
	want := map[string][]string{"RUN echo hi": {"hi", "DONE"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plain output by vertex (-want +got):\n%s", diff)
	}
}

func TestQuietWritesNothing(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	p := newPrinter(t, &out, ModeQuiet)
	sendBuild(p.Step("a"), "hi")
	task := p.Step("a").Task("pushing r/app")
	task.Log("pushed")
	task.Done(errors.New("denied"))
	closeWithin(t, p)
	if got := out.String(); got != "" {
		t.Errorf("quiet output = %q, want none", got)
	}
}

func TestRawJSONLinesDecode(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	p := newPrinter(t, &out, ModeRawJSON)
	sendBuild(p.Step("a"), "hi")
	p.Step("a").Task("pushing r/app").Done(nil)
	closeWithin(t, p)

	names := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	lines := 0
	for sc.Scan() {
		lines++
		var ss client.SolveStatus
		if err := json.Unmarshal(sc.Bytes(), &ss); err != nil {
			t.Fatalf("line %d %q: %v", lines, sc.Text(), err)
		}
		for _, v := range ss.Vertexes {
			names[v.Name] = true
			if v.Digest == runDigest {
				t.Errorf("vertex %q kept BuildKit's digest %s, want the step's", v.Name, v.Digest)
			}
		}
	}
	// Three statuses from the build, two from the task.
	if lines != 5 {
		t.Errorf("rawjson lines = %d, want 5:\n%s", lines, out.String())
	}
	want := map[string]bool{"[a] RUN echo hi": true, "[a] pushing r/app": true}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("vertex names (-want +got):\n%s", diff)
	}
}

func TestTTYOffATerminalIsPlain(t *testing.T) {
	t.Parallel()
	for _, mode := range []Mode{ModeTTY, ModeAuto, ""} {
		var out syncBuffer
		p := newPrinter(t, &out, mode)
		sendBuild(p.Step("a"), "hi")
		closeWithin(t, p)
		got, _ := vertices(out.String())
		want := map[string][]string{"[a] RUN echo hi": {"hi", "DONE"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("NewPrinter(%q) on a buffer: output by vertex (-want +got):\n%s", mode, diff)
		}
	}
}

func TestNewPrinterUnknownMode(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	if _, err := NewPrinter(t.Context(), &out, "fancy"); !errors.Is(err, ErrUnknownMode) {
		t.Errorf("NewPrinter(fancy) = %v, want ErrUnknownMode", err)
	}
}

func TestConcurrentSteps(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	p := newPrinter(t, &out, ModePlain)
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			step := p.Step("block", fmt.Sprint(i))
			task := step.Task("pushing")
			sendBuild(step, fmt.Sprintf("hi from %d", i))
			task.Progress("blob", 1, 2)
			task.Log("retrying")
			task.Progress("blob", 2, 2)
			task.Done(nil)
		})
	}
	wg.Wait()
	if err := closeWithin(t, p); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	got, _ := vertices(out.String())
	for i := range n {
		prefix := fmt.Sprintf("[block] [%d] ", i)
		if lines := got[prefix+"RUN echo hi"]; !slices.Contains(lines, fmt.Sprintf("hi from %d", i)) || !slices.Contains(lines, "DONE") {
			t.Errorf("vertex %qRUN echo hi shows %q, want its line and DONE", prefix, lines)
		}
		if lines := got[prefix+"pushing"]; !slices.Contains(lines, "retrying") || !slices.Contains(lines, "DONE") {
			t.Errorf("vertex %qpushing shows %q, want retrying and DONE", prefix, lines)
		}
	}
	if len(got) != 2*n {
		t.Errorf("vertices shown = %d, want %d", len(got), 2*n)
	}
}

func TestCloseWaitsForOpenChannels(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	p := newPrinter(t, &out, ModePlain)
	ch, done := p.Step("a").Status()
	statuses := solveStatuses("last words")
	ch <- statuses[0]

	closed := make(chan error, 1)
	go func() { closed <- p.Close() }()
	select {
	case <-closed:
		t.Fatal("Close returned while a Status channel was open")
	case <-time.After(50 * time.Millisecond):
	}
	for _, ss := range statuses[1:] {
		ch <- ss
	}
	close(ch)
	<-done
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return after the last channel was closed")
	}
	got, _ := vertices(out.String())
	want := map[string][]string{"[a] RUN echo hi": {"last words", "DONE"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("output by vertex (-want +got):\n%s", diff)
	}
}

func TestCancelledRunStillShows(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	var out syncBuffer
	p, err := NewPrinter(ctx, &out, ModePlain)
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := p.Step("a").Status()
	task := p.Step("a").Task("pushing r/app")
	cancel()
	// What client.Solve sends after Ctrl-C, then closes.
	start, end := t0, t0.Add(time.Second)
	ch <- &client.SolveStatus{Vertexes: []*client.Vertex{{
		Digest: runDigest, Name: "RUN sleep 60", Started: &start, Completed: &end, Error: context.Canceled.Error(),
	}}}
	close(ch)
	task.Done(fmt.Errorf("pushing r/app: %w", ctx.Err()))
	if err := closeWithin(t, p); err != nil {
		t.Fatalf("Close() after cancel = %v, want nil", err)
	}
	got, _ := vertices(out.String())
	want := map[string][]string{
		"[a] RUN sleep 60":  {"CANCELED"},
		"[a] pushing r/app": {"CANCELED"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("output by vertex (-want +got):\n%s", diff)
	}
}

func TestAfterClose(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	p := newPrinter(t, &out, ModePlain)
	if err := closeWithin(t, p); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := closeWithin(t, p); err != nil {
		t.Fatalf("second Close() = %v", err)
	}
	sendBuild(p.Step("late"), "too late")
	task := p.Step("late").Task("pushing")
	task.Log("too late")
	task.Done(nil)
	if got := out.String(); got != "" {
		t.Errorf("output after Close = %q, want none", got)
	}
}

func TestNilStepShowsNothing(t *testing.T) {
	t.Parallel()
	var p *Printer
	s := p.Step("a")
	if s != nil {
		t.Fatalf("(*Printer)(nil).Step(a) = %v, want nil", s)
	}
	ch, done := s.Child("b").Status()
	if ch != nil {
		t.Errorf("nil Step's Status channel = %v, want nil", ch)
	}
	<-done
	task := s.Task("pushing")
	task.Log("x")
	task.Progress("blob", 1, 2)
	task.Done(nil)
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	p := newPrinter(t, &out, ModePlain)
	ch, _ := p.Step("a").Status()
	statuses := solveStatuses("hi")
	ch <- statuses[0]
	ch <- &client.SolveStatus{Warnings: []*client.VertexWarning{{Vertex: runDigest, Short: []byte("FROM without a tag")}}}
	ch <- statuses[2]
	close(ch)
	if got := p.Warnings(); got != nil {
		t.Errorf("Warnings() before Close = %v, want nil", got)
	}
	closeWithin(t, p)

	want := []client.VertexWarning{{Vertex: p.Step("a").digest(runDigest), Short: []byte("FROM without a tag")}}
	if diff := cmp.Diff(want, p.Warnings()); diff != "" {
		t.Errorf("Warnings() (-want +got):\n%s", diff)
	}
	got, _ := vertices(out.String())
	if lines := got["[a] RUN echo hi"]; !slices.Contains(lines, "WARN: FROM without a tag") {
		t.Errorf("vertex [a] RUN echo hi shows %q, want its warning", lines)
	}
}
