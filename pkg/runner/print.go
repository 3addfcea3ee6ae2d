package runner

import (
	"fmt"
	"io"
	"sync"
)

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func printPlan(w io.Writer, sp *StepPlan) {
	fmt.Fprintf(w, "step %s: %s\n", sp.Name, sp.decision())
	for _, r := range sp.Refs {
		fmt.Fprintf(w, "  %s\n", r)
	}
	if sp.Cache != nil {
		fmt.Fprintf(w, "  cache %s in %q\n", sp.Request.CacheExport, sp.Cache.Name)
	}
	printOutputs(w, sp)
}
