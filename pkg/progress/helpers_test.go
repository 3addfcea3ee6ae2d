package progress

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// syncBuffer is a bytes.Buffer that the display may write while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newPrinter starts a Printer in mode on out and closes it at the end of
// the test if the test did not.
func newPrinter(t *testing.T, out *syncBuffer, mode Mode) *Printer {
	t.Helper()
	p, err := NewPrinter(t.Context(), out, mode)
	if err != nil {
		t.Fatalf("NewPrinter(%q) = %v", mode, err)
	}
	t.Cleanup(func() { closeWithin(t, p) })
	return p
}

// closeWithin closes p and fails the test if that takes more than a few
// seconds: a sign that a sender leaked.
func closeWithin(t *testing.T, p *Printer) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- p.Close() }()
	select {
	case err := <-errc:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return within 5s")
		return nil
	}
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// runDigest is the digest BuildKit would give a RUN vertex; the same in
// every step, as when two steps build the same Dockerfile.
var runDigest = digest.FromString("RUN echo hi")

// solveStatuses is what BuildKit sends for one RUN vertex that starts,
// logs line and ends a second later.
func solveStatuses(line string) []*client.SolveStatus {
	start, end := t0, t0.Add(time.Second)
	logAt := t0.Add(500 * time.Millisecond)
	return []*client.SolveStatus{
		{Vertexes: []*client.Vertex{{Digest: runDigest, Name: "RUN echo hi", Started: &start}}},
		{Logs: []*client.VertexLog{{Vertex: runDigest, Stream: 1, Data: []byte(line + "\n"), Timestamp: logAt}}},
		{Vertexes: []*client.Vertex{{Digest: runDigest, Name: "RUN echo hi", Started: &start, Completed: &end}}},
	}
}

// sendBuild sends solveStatuses(line) the way client.Solve does: on the
// step's channel, which it then closes; it waits until they are shown.
func sendBuild(s *Step, line string) {
	ch, done := s.Status()
	for _, ss := range solveStatuses(line) {
		ch <- ss
	}
	close(ch)
	<-done
}

var (
	plainLine = regexp.MustCompile(`^#(\d+) (.*)$`)
	// logTime is the offset plain mode puts before a log line.
	logTime = regexp.MustCompile(`^\d+\.\d+ `)
	// took is the duration plain mode puts after DONE and status lines.
	took = regexp.MustCompile(` \d+\.\ds( done)?$`)
)

// shown is one vertex as plain mode printed it.
type shown struct {
	Name  string
	Lines []string
}

// plainVertices reads plain-mode output: the vertices in the order of
// their numbers, each with the lines shown under it, without timings,
// repeated names or "..." lines; and the lines that belong to no vertex
// (the error summary at the end), without timings either.
func plainVertices(out string) (vs []shown, rest []string) {
	index := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		m := plainLine.FindStringSubmatch(line)
		if m == nil {
			if line != "" {
				rest = append(rest, logTime.ReplaceAllString(line, ""))
			}
			continue
		}
		num, text := m[1], m[2]
		i, ok := index[num]
		if !ok {
			index[num] = len(vs)
			vs = append(vs, shown{Name: text, Lines: []string{}})
			continue
		}
		if text == vs[i].Name || text == "..." {
			continue
		}
		text = logTime.ReplaceAllString(text, "")
		text = took.ReplaceAllString(text, "$1")
		vs[i].Lines = append(vs[i].Lines, text)
	}
	return vs, rest
}

// vertices is plainVertices by vertex name, for output whose vertex
// names differ.
func vertices(out string) (byName map[string][]string, rest []string) {
	vs, rest := plainVertices(out)
	byName = map[string][]string{}
	for _, v := range vs {
		byName[v.Name] = v.Lines
	}
	return byName, rest
}
