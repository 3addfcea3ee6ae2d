package gitinfo

import "testing"

func TestSourceURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://bot:ghp_SECRET@github.com/acme/app.git": "https://github.com/acme/app",
		"git@github.com:acme/app.git":                    "https://github.com/acme/app",
		"ssh://git@gitlab.com/acme/app":                  "https://gitlab.com/acme/app",
		"":                                               "",
	} {
		if got := SourceURL(in); got != want {
			t.Errorf("SourceURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOwnerAndName(t *testing.T) {
	for in, want := range map[string][2]string{
		"git@github.com:acme/app.git":   {"acme", "app"},
		"https://github.com/acme/app/":  {"acme", "app"},
		"https://gitlab.com/g/sub/repo": {"sub", "repo"},
		"nothing":                       {"", ""},
	} {
		if o, n := OwnerAndName(in); o != want[0] || n != want[1] {
			t.Errorf("OwnerAndName(%q) = %q, %q; want %q", in, o, n, want)
		}
	}
}
