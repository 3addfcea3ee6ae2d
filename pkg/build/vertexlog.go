package build

import (
	"sync"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// showMode is what of a solve's statuses reach the display.
type showMode int

const (
	// showAll shows every status.
	showAll showMode = iota
	// showLocalFirst, for a solve on the local cache alone that stops at
	// the first step it would run, holds back that step's statuses,
	// failures (the solve with the cache imports that follows reports its
	// own) and warnings (shown once the solve ends well).
	showLocalFirst
	// showExport shows only the cache export's vertex.
	showExport
)

// exportVertex is the name BuildKit gives a solve's cache export.
const exportVertex = "exporting cache to registry"

// vertexLog passes on to the display what of a solve's statuses its mode
// shows, noting the vertices it hides.
type vertexLog struct {
	mode showMode
	// runs, when set, is called once when a step starts to run.
	runs func()

	mu sync.Mutex
	// hidden are the vertices whose statuses the display does not get.
	hidden   map[digest.Digest]bool
	warnings []*client.VertexWarning
}

func newVertexLog(mode showMode, runs func()) *vertexLog {
	return &vertexLog{mode: mode, runs: runs, hidden: map[digest.Digest]bool{}}
}

// forward records every status from in and sends what is shown on to out
// (when not nil).
func (l *vertexLog) forward(in <-chan *client.SolveStatus, out chan<- *client.SolveStatus) {
	for ss := range in {
		if ss == nil {
			continue
		}
		if keep := l.record(ss); out != nil && keep != nil {
			out <- keep
		}
	}
}

// flush sends the warnings held back on to out.
func (l *vertexLog) flush(out chan<- *client.SolveStatus) {
	l.mu.Lock()
	w := l.warnings
	l.mu.Unlock()
	if len(w) > 0 {
		out <- &client.SolveStatus{Warnings: w}
	}
}

// record notes ss's vertices and returns what of ss to show; nil for
// nothing.
func (l *vertexLog) record(ss *client.SolveStatus) *client.SolveStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	runs := false
	for _, v := range ss.Vertexes {
		switch l.mode {
		case showLocalFirst:
			// A step (a vertex on other results: RUN, COPY, ..., not a
			// source) that BuildKit runs starts uncached; one from the
			// cache starts CACHED.
			if len(v.Inputs) > 0 && v.Started != nil && v.Completed == nil && !v.Cached && v.Error == "" {
				l.hidden[v.Digest], runs = true, true
			}
			if v.Error != "" {
				l.hidden[v.Digest] = true
			}
		case showExport:
			l.hidden[v.Digest] = v.Name != exportVertex
		}
	}
	if runs && l.runs != nil {
		l.runs()
		l.runs = nil
	}
	if l.mode == showAll {
		return ss
	}
	shown := func(d digest.Digest) bool { return !l.hidden[d] }
	out := &client.SolveStatus{}
	for _, v := range ss.Vertexes {
		if shown(v.Digest) {
			out.Vertexes = append(out.Vertexes, v)
		}
	}
	for _, s := range ss.Statuses {
		if shown(s.Vertex) {
			out.Statuses = append(out.Statuses, s)
		}
	}
	for _, g := range ss.Logs {
		if shown(g.Vertex) {
			out.Logs = append(out.Logs, g)
		}
	}
	for _, w := range ss.Warnings {
		if l.mode == showLocalFirst {
			l.warnings = append(l.warnings, w)
		} else if shown(w.Vertex) {
			out.Warnings = append(out.Warnings, w)
		}
	}
	if len(out.Vertexes)+len(out.Statuses)+len(out.Logs)+len(out.Warnings) == 0 {
		return nil
	}
	return out
}
