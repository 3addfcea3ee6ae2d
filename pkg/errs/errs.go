package errs

import (
	"errors"
	"fmt"
)

// ErrInput marks a user mistake: a bad file, flag or config. Commands exit 2 on it.
var ErrInput = errors.New("bad input")

// InputError is a user mistake located in a file. Its message reads
// "file:line:col: field: message"; parts that are unknown are left out.
type InputError struct {
	File  string
	Line  int
	Col   int
	Field string
	Msg   string
}

// Error implements error.
func (e *InputError) Error() string {
	s := ""
	if e.File != "" {
		s = e.File
		if e.Line > 0 {
			s += fmt.Sprintf(":%d", e.Line)
			if e.Col > 0 {
				s += fmt.Sprintf(":%d", e.Col)
			}
		}
		s += ": "
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	return s + e.Msg
}

// Is reports whether target is ErrInput, so errors.Is(err, ErrInput) holds.
func (e *InputError) Is(target error) bool { return target == ErrInput }

// Input returns an error that wraps ErrInput with a formatted message.
func Input(format string, args ...any) error {
	return &inputf{msg: fmt.Sprintf(format, args...)}
}

type inputf struct{ msg string }

func (e *inputf) Error() string        { return e.msg }
func (e *inputf) Is(target error) bool { return target == ErrInput }
