package progress

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestTask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(*Task)
		want []string
		// wantSummary is the error summary plain mode prints at the end.
		wantSummary []string
	}{
		{
			name: "done",
			run: func(task *Task) {
				task.Log("pushing %d layers", 2)
				task.Done(nil)
			},
			want: []string{"pushing 2 layers", "DONE"},
		},
		{
			name: "failed",
			run: func(task *Task) {
				task.Log("layer sha256:1")
				task.Done(errors.New("unauthorized: authentication required"))
				task.Done(nil) // no effect
				task.Log("dropped")
			},
			want: []string{"layer sha256:1", "ERROR: unauthorized: authentication required"},
			wantSummary: []string{
				"------",
				" > [build_app] pushing r/app@sha256:abc:",
				"layer sha256:1",
				"------",
			},
		},
		{
			name: "progress",
			run: func(task *Task) {
				task.Progress("sha256:1", 1024, 1024)
				task.Progress("sha256:2", 300, 0) // open until Done
				task.Done(nil)
			},
			want: []string{"sha256:1 1.02kB / 1.02kB done", "sha256:2 300B done", "DONE"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out syncBuffer
			p := newPrinter(t, &out, ModePlain)
			tt.run(p.Step("build_app").Task("pushing r/app@sha256:abc"))
			if err := closeWithin(t, p); err != nil {
				t.Fatalf("Close() = %v", err)
			}
			got, summary := vertices(out.String())
			for name, lines := range got {
				got[name] = finished(lines)
			}
			want := map[string][]string{"[build_app] pushing r/app@sha256:abc": tt.want}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("plain output by vertex (-want +got):\n%s\noutput:\n%s", diff, out.String())
			}
			if diff := cmp.Diff(tt.wantSummary, summary); diff != "" {
				t.Errorf("error summary (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTasksAreTheirOwnVertices(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	p := newPrinter(t, &out, ModePlain)
	// Same step, same name: still two vertices, e.g. a push and its retry.
	first := p.Step("push").Task("pushing r/app")
	second := p.Step("push").Task("pushing r/app")
	first.Done(errors.New("500 Internal Server Error"))
	second.Log("retry 1 of 3")
	second.Done(nil)
	closeWithin(t, p)
	got, _ := plainVertices(out.String())
	want := []shown{
		{Name: "[push] pushing r/app", Lines: []string{"ERROR: 500 Internal Server Error"}},
		{Name: "[push] pushing r/app", Lines: []string{"retry 1 of 3", "DONE"}},
	}
	byLines := cmpopts.SortSlices(func(a, b shown) bool { return strings.Join(a.Lines, "\n") < strings.Join(b.Lines, "\n") })
	if diff := cmp.Diff(want, got, byLines); diff != "" {
		t.Errorf("plain output (-want +got):\n%s\noutput:\n%s", diff, out.String())
	}
}

// openStatus is a status line of a part not yet complete.
var openStatus = regexp.MustCompile(`^sha256:\S+ [^ ]+( / [^ ]+)?$`)

// finished leaves out the lines of parts not yet complete, which plain mode
// shows or not depending on when it redraws.
func finished(lines []string) []string {
	var out []string
	for _, l := range lines {
		if !openStatus.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}
