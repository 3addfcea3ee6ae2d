package commands

import (
	"io"
	"strings"
)

// maskWriter writes through w with each masked value replaced by ***:
// hoist's own lines (plan, results, warnings) never show an encrypted
// variable's value. Each line hoist prints is one Write, so a value is
// never split across two.
type maskWriter struct {
	w io.Writer
	r *strings.Replacer
}

// masking returns w, or w behind a maskWriter when some value of values
// is to be hidden (values shorter than 4 bytes are left, as in builds).
func masking(w io.Writer, values []string) io.Writer {
	var pairs []string
	for _, v := range values {
		if len(v) >= 4 {
			pairs = append(pairs, v, "***")
		}
	}
	if len(pairs) == 0 {
		return w
	}
	return &maskWriter{w: w, r: strings.NewReplacer(pairs...)}
}

// Write writes p with the masked values replaced; it reports len(p) when
// the whole of it was written.
func (m *maskWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(m.w, m.r.Replace(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
