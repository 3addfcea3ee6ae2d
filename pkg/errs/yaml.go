package errs

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	yamlLine = regexp.MustCompile(`^line (\d+): (.*)`)
	// quoted matches the values YAML's messages quote; they may be secrets.
	quoted       = regexp.MustCompile("`[^`]*`|'[^']*'")
	unknownField = regexp.MustCompile(`^field (\S+) not found in type .*`)
	wrongType    = regexp.MustCompile(`cannot unmarshal !!(\w+)(?: .*)? into (\S+)`)
)

// YAML turns an error of gopkg.in/yaml.v3 about file into an InputError with
// the line it names. Values the message quotes are left out: they may be
// secrets.
func YAML(file string, err error) *InputError {
	msg := quoted.ReplaceAllString(err.Error(), "a value")
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
	return &InputError{File: file, Line: line, Msg: "invalid YAML: " + text}
}
