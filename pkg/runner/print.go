package runner

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// linePrefixer writes whole lines, each with a prefix, to a shared writer.
type linePrefixer struct {
	w      io.Writer
	prefix string
	mu     *sync.Mutex
	buf    []byte
}

func (l *linePrefixer) Write(b []byte) (int, error) {
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		l.mu.Lock()
		_, err := fmt.Fprintf(l.w, "%s%s", l.prefix, l.buf[:i+1])
		l.mu.Unlock()
		l.buf = l.buf[i+1:]
		if err != nil {
			return len(b), err
		}
	}
}

func printPlan(w io.Writer, sp *StepPlan) {
	fmt.Fprintf(w, "step %s: %s\n", sp.Name, sp.Decision)
	for _, r := range sp.Refs {
		fmt.Fprintf(w, "  %s\n", r)
	}
	if sp.Cache != nil {
		fmt.Fprintf(w, "  cache %s in %q\n", sp.Request.CacheExport, sp.Cache.Name)
	}
}
