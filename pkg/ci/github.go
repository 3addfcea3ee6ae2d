package ci

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
)

// WriteGitHub, under GitHub Actions, appends outputs (name → value; a value
// may span lines) to $GITHUB_OUTPUT and summary (Markdown) to
// $GITHUB_STEP_SUMMARY, as an action's step does. Elsewhere, or when the
// variables are not set, it does nothing.
func WriteGitHub(env map[string]string, outputs [][2]string, summary string) error {
	if !strings.EqualFold(env["GITHUB_ACTIONS"], "true") {
		return nil
	}
	if path := env["GITHUB_OUTPUT"]; path != "" && len(outputs) > 0 {
		var b strings.Builder
		for _, kv := range outputs {
			// The multi-line form, with a delimiter no value holds.
			delim := "hoist_" + randomHex()
			fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", kv[0], delim, kv[1], delim)
		}
		if err := appendFile(path, b.String()); err != nil {
			return fmt.Errorf("writing $GITHUB_OUTPUT: %w", err)
		}
	}
	if path := env["GITHUB_STEP_SUMMARY"]; path != "" && summary != "" {
		if err := appendFile(path, summary); err != nil {
			return fmt.Errorf("writing $GITHUB_STEP_SUMMARY: %w", err)
		}
	}
	return nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func randomHex() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
