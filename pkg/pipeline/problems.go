package pipeline

import "errors"

// ProblemsError holds every problem found in a pipeline file. Its message
// is the first problem's; Problems lists them all.
type ProblemsError struct {
	Errs []error
}

// Error returns the first problem.
func (e *ProblemsError) Error() string { return e.Errs[0].Error() }

// Unwrap returns every problem, so errors.Is sees through it.
func (e *ProblemsError) Unwrap() []error { return e.Errs }

// newProblems holds problems, each once: a step an alias brings in several
// times has the same problem, at the same line, each time.
func newProblems(problems []error) *ProblemsError {
	seen := map[string]bool{}
	var out []error
	for _, p := range problems {
		if msg := p.Error(); !seen[msg] {
			seen[msg] = true
			out = append(out, p)
		}
	}
	return &ProblemsError{Errs: out}
}

// Problems lists the problems err holds: all of a ProblemsError's, or err.
func Problems(err error) []error {
	var pe *ProblemsError
	if errors.As(err, &pe) {
		return pe.Errs
	}
	if err == nil {
		return nil
	}
	return []error{err}
}
