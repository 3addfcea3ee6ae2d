package errs

import (
	"errors"
	"fmt"
)

// ErrInput marks a user mistake: a bad file, flag or config. Commands exit 2 on it.
var ErrInput = errors.New("bad input")

// InputError is a user mistake, located in a file where it can be. Its
// message reads "file:line:col: field: message"; parts that are unknown are
// left out. It may wrap a cause, which errors.Is and errors.As find.
type InputError struct {
	File  string
	Line  int
	Col   int
	Field string
	// Msg says what is wrong; the cause's text when empty.
	Msg string
	// Err is the cause, if any.
	Err error
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
	if e.Msg == "" && e.Err != nil {
		return s + e.Err.Error()
	}
	return s + e.Msg
}

// Unwrap returns the cause.
func (e *InputError) Unwrap() error { return e.Err }

// Is reports whether target is ErrInput, so errors.Is(err, ErrInput) holds.
func (e *InputError) Is(target error) bool { return target == ErrInput }

// Input returns an input error with a formatted message; a %w verb wraps
// its argument as the cause, as fmt.Errorf does.
func Input(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}

// At returns err as an input error located at file:line, in field.
func At(file string, line int, field string, err error) error {
	return &InputError{File: file, Line: line, Field: field, Err: err}
}
