package errs

import (
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// parserError holds the messages of yaml.v3's parser, as opposed to its
// scanner's (parserc.go).
var parserError = map[string]bool{
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
}

var (
	yamlLine = regexp.MustCompile(`^line (\d+): (.*)`)
	// quoted matches the values YAML's messages quote; they may be secrets.
	quoted       = regexp.MustCompile("`[^`]*`|'[^']*'")
	unknownField = regexp.MustCompile(`^field (\S+) not found in type .*`)
	wrongType    = regexp.MustCompile(`cannot unmarshal !!(\w+)(?: .*)? into (\S+)`)
)

// YAML turns an error of gopkg.in/yaml.v3 about file, whose text is data,
// into an InputError with the line it names. Values the message quotes are
// left out: they may be secrets.
func YAML(file string, data []byte, err error) *InputError {
	msg := quoted.ReplaceAllStringFunc(err.Error(), func(q string) string {
		if len(q) == 3 && strings.ContainsAny(q[1:2], ",]}-:") {
			return q // YAML's own punctuation, as in "expected ',' or ']'"
		}
		return "a value"
	})
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return &InputError{File: file, Msg: "invalid YAML: " + msg}
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	if f := unknownField.FindStringSubmatch(text); f != nil {
		return &InputError{File: file, Line: line, Field: f[1], Msg: "unknown field"}
	}
	if wrongType.MatchString(text) {
		return &InputError{File: file, Line: line, Msg: wrongType.ReplaceAllString(text, "wrong type: got a $1, want a $2")}
	}
	if parserError[text] {
		// yaml.v3 counts from 0 in the parser's messages, and names the
		// line where the enclosing block starts; the user needs the line
		// that breaks it.
		line++
		if at := syntaxLine(data, line, text); at > line {
			return &InputError{File: file, Line: at, Msg: "invalid YAML: " + text + " (in the block that starts on line " + strconv.Itoa(line) + ")"}
		}
	}
	return &InputError{File: file, Line: line, Msg: "invalid YAML: " + text}
}

// syntaxLine finds the first line from which data's first lines no longer
// parse, failing as the whole text does with text; 0 when none does.
// Prefixes that end inside a multi-line value fail differently and are
// passed over.
func syntaxLine(data []byte, from int, text string) int {
	var ends []int // ends[i] is where line i+1 ends
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		ends = append(ends, len(data))
	}
	fails := func(n int) bool {
		var v yaml.Node
		err := yaml.Unmarshal(data[:ends[n-1]], &v)
		return err != nil && strings.HasSuffix(err.Error(), ": "+text)
	}
	// Binary search for the first failing prefix after from.
	lo, hi := from-1, len(ends)
	if hi <= lo || !fails(hi) {
		return 0
	}
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}
