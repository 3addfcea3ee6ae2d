package build

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// vertex is a vertex update: a step when it has inputs.
func vertex(name string, inputs bool, started, completed, cached bool, errText string) *client.Vertex {
	v := &client.Vertex{Digest: digest.FromString(name), Name: name, Cached: cached, Error: errText}
	if inputs {
		v.Inputs = []digest.Digest{digest.FromString("input")}
	}
	now := time.Now()
	if started {
		v.Started = &now
	}
	if completed {
		v.Completed = &now
	}
	return v
}

// names lists the vertices, logs and warnings of what the log passes on.
func names(ss []*client.SolveStatus) []string {
	var out []string
	for _, s := range ss {
		for _, v := range s.Vertexes {
			out = append(out, "vertex "+v.Name)
		}
		for _, l := range s.Logs {
			out = append(out, "log "+string(l.Data))
		}
		for _, w := range s.Warnings {
			out = append(out, "warning "+string(w.Short))
		}
	}
	return out
}

// feed passes the statuses through l and returns what it shows, held-back
// warnings included when ok.
func feed(l *vertexLog, ok bool, in ...*client.SolveStatus) []*client.SolveStatus {
	src := make(chan *client.SolveStatus, len(in))
	for _, s := range in {
		src <- s
	}
	close(src)
	out := make(chan *client.SolveStatus, len(in)+1)
	l.forward(src, out)
	if ok {
		l.flush(out)
	}
	close(out)
	var got []*client.SolveStatus
	for s := range out {
		got = append(got, s)
	}
	return got
}

func TestVertexLogLocalFirst(t *testing.T) {
	source := vertex("[1/3] FROM base", false, true, true, false, "")
	cached := vertex("[2/3] RUN cached", true, true, true, true, "")
	runs := vertex("[3/3] RUN new", true, true, false, false, "")
	warn := &client.SolveStatus{Warnings: []*client.VertexWarning{{Vertex: source.Digest, Short: []byte("lint")}}}
	for _, tc := range []struct {
		name     string
		in       []*client.SolveStatus
		ok       bool
		want     []string
		wantRuns int
	}{
		{"fully cached", []*client.SolveStatus{{Vertexes: []*client.Vertex{source, cached}}, warn}, true,
			[]string{"vertex [1/3] FROM base", "vertex [2/3] RUN cached", "warning lint"}, 0},
		{"a step runs", []*client.SolveStatus{
			{Vertexes: []*client.Vertex{source, cached}}, warn,
			{Vertexes: []*client.Vertex{runs}},
			{Logs: []*client.VertexLog{{Vertex: runs.Digest, Data: []byte("output")}}},
			{Vertexes: []*client.Vertex{vertex("[3/3] RUN new", true, true, true, false, "context canceled")}},
		}, false, []string{"vertex [1/3] FROM base", "vertex [2/3] RUN cached"}, 1},
		{"a source fails", []*client.SolveStatus{{Vertexes: []*client.Vertex{vertex("[1/3] FROM base", false, true, true, false, "not found")}}}, false,
			nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			got := names(feed(newVertexLog(showLocalFirst, func() { calls++ }), tc.ok, tc.in...))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("shown (-want +got):\n%s", diff)
			}
			if calls != tc.wantRuns {
				t.Errorf("runs called %d times, want %d", calls, tc.wantRuns)
			}
		})
	}
}

func TestVertexLogShowExport(t *testing.T) {
	export := vertex(exportVertex, false, true, true, false, "")
	got := names(feed(newVertexLog(showExport, nil), true,
		&client.SolveStatus{Vertexes: []*client.Vertex{vertex("[1/2] FROM base", false, true, true, false, ""), export}},
		&client.SolveStatus{Logs: []*client.VertexLog{{Vertex: export.Digest, Data: []byte("writing layer")}, {Vertex: digest.FromString("[1/2] FROM base"), Data: []byte("resolve")}}},
	))
	if diff := cmp.Diff([]string{"vertex " + exportVertex, "log writing layer"}, got); diff != "" {
		t.Errorf("shown (-want +got):\n%s", diff)
	}
}

func TestVertexLogShowAll(t *testing.T) {
	in := &client.SolveStatus{Vertexes: []*client.Vertex{vertex("[2/2] RUN new", true, true, false, false, "")}}
	calls := 0
	got := names(feed(newVertexLog(showAll, func() { calls++ }), true, in))
	if diff := cmp.Diff([]string{"vertex [2/2] RUN new"}, got); diff != "" || calls != 0 {
		t.Errorf("shown (-want +got):\n%s; runs called %d times, want 0", diff, calls)
	}
}
