package progress

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// Task is a vertex of its own in the display for work that is not
// BuildKit's: a push, a copy, a retry notice. Its methods are safe for
// concurrent use and reach the display in the order they were called; a
// nil *Task does nothing.
type Task struct {
	p       *Printer
	vertex  client.Vertex
	mu      sync.Mutex
	done    bool
	started map[string]*client.VertexStatus // by ID, open ones only
}

// Task starts a vertex named name (after the step's prefix), e.g.
// "pushing 127.0.0.1:5000/app@sha256:…". Call Done when the work ends.
func (s *Step) Task(name string) *Task {
	if s == nil {
		return nil
	}
	now := time.Now()
	n := s.p.tasks.Add(1)
	t := &Task{
		p: s.p,
		vertex: client.Vertex{
			Digest:  digest.FromString(fmt.Sprintf("hoist task\x00%d", n)),
			Name:    s.prefix + name,
			Started: &now,
		},
		started: map[string]*client.VertexStatus{},
	}
	v := t.vertex
	t.p.send(&client.SolveStatus{Vertexes: []*client.Vertex{&v}})
	return t
}

// Log adds a line under the task's vertex; a trailing newline is added
// when missing. Lines after Done are dropped.
func (t *Task) Log(format string, args ...any) {
	if t == nil {
		return
	}
	line := fmt.Sprintf(format, args...)
	if !strings.HasSuffix(line, "\n") {
		line += "\n"
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return
	}
	t.p.send(&client.SolveStatus{Logs: []*client.VertexLog{{
		Vertex:    t.vertex.Digest,
		Stream:    1,
		Data:      []byte(line),
		Timestamp: time.Now(),
	}}})
}

// Progress reports that current of total bytes of the part id (e.g. a blob's
// digest) have moved; total 0 means unknown. The part is complete once
// current reaches a known total, or when the task is done.
func (t *Task) Progress(id string, current, total int64) {
	if t == nil {
		return
	}
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return
	}
	st, ok := t.started[id]
	if !ok {
		st = &client.VertexStatus{ID: id, Vertex: t.vertex.Digest, Started: &now}
	}
	c := *st
	c.Current, c.Total, c.Timestamp = current, total, now
	if total > 0 && current >= total {
		c.Completed = &now
		delete(t.started, id)
	} else {
		t.started[id] = &c
	}
	t.p.send(&client.SolveStatus{Statuses: []*client.VertexStatus{&c}})
}

// Done completes the task and its open parts; a non-nil err marks it
// failed with err's text. Calls after the first do nothing.
func (t *Task) Done(err error) {
	if t == nil {
		return
	}
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return
	}
	t.done = true
	ss := &client.SolveStatus{}
	for _, st := range t.started {
		c := *st
		c.Timestamp, c.Completed = now, &now
		ss.Statuses = append(ss.Statuses, &c)
	}
	t.started = nil
	v := t.vertex
	v.Completed = &now
	if err != nil {
		v.Error = err.Error()
	}
	ss.Vertexes = []*client.Vertex{&v}
	t.p.send(ss)
}
