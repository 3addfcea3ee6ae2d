package pipeline

import (
	"errors"
	"fmt"
	"io/fs"

	"gopkg.in/yaml.v3"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/files"
)

type loader struct {
	file string
	// warnings are fields that load but that hoist does not act on.
	warnings []string
	// notices say what hoist does with a field in a way the user may not
	// expect (Codefresh's build annotations).
	notices []string
	// listBlock is the line of the first parallel step whose steps: is a
	// list (its entries are named 0, 1, ...); 0 when there is none.
	listBlock int
	listPath  string
}

// warn records that field, at n, loads but is not acted on, and why.
func (l *loader) warn(n *yaml.Node, field, why string) {
	e := &errs.InputError{File: l.file, Field: field, Msg: why}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	l.warnings = append(l.warnings, e.Error())
}

func (l *loader) errf(n *yaml.Node, field, format string, args ...any) error {
	e := &errs.InputError{File: l.file, Field: field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	return e
}

// readError turns an error reading the pipeline file into one line: a
// missing file, or one that breaks a bound, is the user's mistake.
func readError(path, what string, err error) error {
	var fe *files.Error
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errs.Input("%s: %s file not found", path, what)
	case errors.As(err, &fe):
		return &errs.InputError{Err: err}
	}
	return fmt.Errorf("reading %s: %w", what, err)
}

// parse reads data, the YAML file l names, and returns its top node: a
// syntax error, an empty file (empty says what is empty) and aliases that
// expand without end or beyond MaxNodes are each one line.
func (l *loader) parse(data []byte, empty string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errs.YAML(l.file, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, l.errf(&doc, "", "%s", empty)
	}
	if at, loops := tooLarge(&doc, MaxNodes); loops {
		return nil, l.errf(at, "", "an alias refers to a node that holds it, so the file expands without end")
	} else if at != nil {
		return nil, l.errf(at, "", "aliases and merge keys expand the file to more than %d nodes", MaxNodes)
	}
	return doc.Content[0], nil
}
