package progress

import (
	"strconv"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// Step is one pipeline step's part of a Printer's display. A nil *Step
// shows nothing: Status gives a nil channel (client.Solve accepts one) and
// Task a nil *Task, whose methods do nothing.
type Step struct {
	p *Printer
	// prefix goes before every vertex name, e.g. "[tests] [unit] ".
	prefix string
	// key tells this step's digests from other steps': the quoted names
	// of its path, e.g. `"tests""unit"`, which no other path gives; ""
	// keeps BuildKit's digests.
	key string
}

// Child returns the part of the display for the step name inside s, e.g. a
// step of a parallel block; an empty name returns s.
func (s *Step) Child(name string) *Step {
	if s == nil || name == "" {
		return s
	}
	return &Step{p: s.p, prefix: s.prefix + "[" + name + "] ", key: s.key + strconv.Quote(name)}
}

// Status returns a channel for client.Solve or client.Build to send the
// step's statuses on, and a channel that is closed once every status sent
// has reached the display. The caller must close ch when done sending
// (client.Solve and client.Build always do); Printer.Close waits for that.
func (s *Step) Status() (ch chan *client.SolveStatus, done <-chan struct{}) {
	forwarded := make(chan struct{})
	if s == nil {
		close(forwarded)
		return nil, forwarded
	}
	ch = make(chan *client.SolveStatus, 16)
	p := s.p
	if !p.acquire() {
		go func() {
			defer close(forwarded)
			for range ch {
			}
		}()
		return ch, forwarded
	}
	go func() {
		defer close(forwarded)
		defer p.release()
		for ss := range ch {
			if ss != nil {
				p.ch <- s.rewrite(ss)
			}
		}
	}()
	return ch, forwarded
}

// digest returns the digest d has in this step's part of the display: the
// digest of the step's key, a NUL (which the quoted key cannot hold) and d.
func (s *Step) digest(d digest.Digest) digest.Digest {
	if s.key == "" || d == "" {
		return d
	}
	return digest.FromString(s.key + "\x00" + string(d))
}

// rewrite returns a copy of ss with the step's prefix on vertex and group
// names and the step's digests, so that the same vertex built in two steps
// shows twice. ss itself is left as it was.
func (s *Step) rewrite(ss *client.SolveStatus) *client.SolveStatus {
	if s.key == "" {
		return ss
	}
	out := &client.SolveStatus{
		Vertexes: make([]*client.Vertex, 0, len(ss.Vertexes)),
		Statuses: make([]*client.VertexStatus, 0, len(ss.Statuses)),
		Logs:     make([]*client.VertexLog, 0, len(ss.Logs)),
		Warnings: make([]*client.VertexWarning, 0, len(ss.Warnings)),
	}
	for _, v := range ss.Vertexes {
		c := *v
		c.Digest = s.digest(v.Digest)
		c.Name = s.prefix + v.Name
		c.Inputs = make([]digest.Digest, len(v.Inputs))
		for i, in := range v.Inputs {
			c.Inputs[i] = s.digest(in)
		}
		if g := v.ProgressGroup; g != nil {
			c.ProgressGroup = &pb.ProgressGroup{
				Id:   s.digest(digest.Digest(g.Id)).String(),
				Name: s.prefix + g.Name,
				Weak: g.Weak,
			}
		}
		out.Vertexes = append(out.Vertexes, &c)
	}
	for _, st := range ss.Statuses {
		c := *st
		c.Vertex = s.digest(st.Vertex)
		out.Statuses = append(out.Statuses, &c)
	}
	for _, l := range ss.Logs {
		c := *l
		c.Vertex = s.digest(l.Vertex)
		out.Logs = append(out.Logs, &c)
	}
	for _, w := range ss.Warnings {
		c := *w
		c.Vertex = s.digest(w.Vertex)
		out.Warnings = append(out.Warnings, &c)
	}
	return out
}
