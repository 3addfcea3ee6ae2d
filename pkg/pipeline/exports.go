package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"github.com/hoist-build/hoist/pkg/files"
)

// ExportsFile is the file, in CF_VOLUME_PATH, where Codefresh's cf_export
// (and steps that write it themselves) leave variables for later steps.
const ExportsFile = "env_vars_to_export"

// exportsKind caps the exported variables file as hoist's other inputs.
var exportsKind = files.Kind{Name: "exported variables file", Max: 1 << 20}

var exportName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ReadExports reads the variables earlier steps exported, from the file
// at path, as Codefresh reads it: one NAME=VALUE a line (what `cf_export
// NAME=VALUE` appends), the value everything after the first =, a later
// line over an earlier one. A value wrapped in one pair of matching
// quotes (echo NAME=\"$X\" >> file) loses them. Blank lines and # comments
// are skipped. A line that is not NAME=VALUE (such as the second line of a
// multi-line value, which Codefresh cuts off too) is left out with a
// warning naming file:line, never its text. A missing file holds none;
// one hoist cannot read is one warning.
func ReadExports(path string) (map[string]string, []string) {
	data, err := files.Read(path, exportsKind)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, []string{fmt.Sprintf("hoist: warning: exported variables not read: %v", err)}
	}
	vars := map[string]string{}
	var warnings []string
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok || !exportName.MatchString(name) {
			warnings = append(warnings, fmt.Sprintf("hoist: warning: %s:%d: not NAME=VALUE, so no variable is read from this line (a multi-line value? cf_export keeps one line: encode it, e.g. with base64)", path, i+1))
			continue
		}
		if n := len(value); n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n-1] == value[0] {
			value = value[1 : n-1]
		}
		vars[name] = value
	}
	return vars, warnings
}
