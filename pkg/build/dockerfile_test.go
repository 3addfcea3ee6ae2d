package build

import (
	"strings"
	"testing"
)

// TestDockerfileErrorsHideText: a file that does not parse as a Dockerfile
// gets its line and the kind of mistake, never its text (BuildKit's parser
// quotes the line, which for a docker config.json is a registry login).
func TestDockerfileErrorsHideText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text, want string
	}{
		{`{"auths":{"r.example":{"auth":"Q0FOQVJZOnNlY3JldA=="}}}`, "line 1: unknown instruction (the text is not shown)"},
		{"{\n  \"auths\": {\"r.example\": {\"auth\": \"CANARY\"}}\n}\n", "line 1: unknown instruction (the text is not shown)"},
		{"FROM scratch\nCANARY_TOKEN=abc\n", "line 2: unknown instruction (the text is not shown)"},
		{"FROM x\nCOPY --frm=CANARY a b\n", "line 2: bad COPY instruction (the text is not shown)"},
		{"FROM scratch\nENV CANARY\n", "line 2: bad ENV instruction (the text is not shown)"},
		{"FROM x AS 1CANARY\n", "line 1: bad FROM instruction (the text is not shown)"},
		{"FROM x\nRUN <<EOF\nCANARY\n", "line 2: unterminated heredoc (the text is not shown)"},
		{"# CANARY\n", "line 1: file with no instructions (the text is not shown)"},
		{"# escape=CANARY\nFROM x\n", "it does not parse (the text is not shown)"},
	} {
		err := CheckDockerfile([]byte(tc.text))
		if err == nil || err.Error() != tc.want {
			t.Errorf("CheckDockerfile(%q) = %v, want %s", tc.text, err, tc.want)
		}
		for _, f := range []func() error{
			func() error { _, err := BaseImages([]byte(tc.text), nil); return err },
			func() error { _, err := DockerfileLabels([]byte(tc.text), ""); return err },
		} {
			if err := f(); err == nil || strings.Contains(err.Error(), "CANARY") || strings.Contains(err.Error(), "Q0FO") {
				t.Errorf("parsing %q: error %v; want one that does not show the text", tc.text, err)
			}
		}
	}
	if err := CheckDockerfile([]byte("FROM scratch\nCOPY a /a\n")); err != nil {
		t.Errorf("CheckDockerfile(a good Dockerfile) = %v", err)
	}
}
