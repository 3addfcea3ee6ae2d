package build

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/command"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// CheckDockerfile reports whether text parses as a Dockerfile. Its error,
// like every Dockerfile error hoist gives, names the line and the kind of
// mistake but never quotes the text: a path can point at a file that is
// no Dockerfile at all (a docker config.json), and a line may hold a
// secret.
func CheckDockerfile(text []byte) error {
	_, _, _, err := parseDockerfile(text)
	return err
}

// parseDockerfile parses text into its stages and the ARGs before the
// first FROM; its errors never quote text.
func parseDockerfile(text []byte) (*parser.Result, []instructions.Stage, []instructions.ArgCommand, error) {
	ast, err := parser.Parse(bytes.NewReader(text))
	if err != nil {
		return nil, nil, nil, dockerfileError(err, text)
	}
	stages, metaArgs, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return nil, nil, nil, dockerfileError(err, text)
	}
	return ast, stages, metaArgs, nil
}

// safeParseErrors are parser messages that quote nothing.
var safeParseErrors = []string{"unterminated heredoc", "file with no instructions", "dockerfile line greater than max allowed size"}

// dockerfileError retells a Dockerfile parse error from its line and kind
// only: a known instruction's name is shown, nothing else of the text.
func dockerfileError(err error, text []byte) error {
	line := lineOf(err)
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		line = le.Locations[0][0].Start.Line
	}
	what := "it does not parse"
	var unknown *instructions.UnknownInstructionError
	if errors.As(err, &unknown) {
		what = "unknown instruction"
	} else if word := firstWord(text, line); word != "" {
		what = "bad " + word + " instruction"
	}
	for _, s := range safeParseErrors {
		if strings.Contains(err.Error(), s) {
			what = s
		}
	}
	if line > 0 {
		return fmt.Errorf("line %d: %s (the text is not shown)", line, what)
	}
	return fmt.Errorf("%s (the text is not shown)", what)
}

// firstWord returns the instruction that starts line n (from 1) of text,
// upper-cased, when it is one of the Dockerfile's instructions; "" else.
func firstWord(text []byte, n int) string {
	lines := bytes.Split(text, []byte("\n"))
	if n < 1 || n > len(lines) {
		return ""
	}
	fields := strings.Fields(string(lines[n-1]))
	if len(fields) == 0 {
		return ""
	}
	if _, known := command.Commands[strings.ToLower(fields[0])]; !known {
		return ""
	}
	return strings.ToUpper(fields[0])
}

// lineOf reads the line from instructions.Parse's "dockerfile parse error
// on line N: ..." message; 0 when it has none.
func lineOf(err error) int {
	var n int
	if _, scanErr := fmt.Sscanf(err.Error(), "dockerfile parse error on line %d:", &n); scanErr != nil {
		return 0
	}
	return n
}
