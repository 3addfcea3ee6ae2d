package registries

import (
	"os"
	"strings"
	"testing"
)

// FuzzLoad feeds the registries loader arbitrary files: it returns a
// config or an error, never panics, and its errors never show a password
// written in the file.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"registries:\n  - name: a\n    domain: r.example:5000\n    prefix: team\n    username: u\n    password: Zq9secretXk7\n",
		"registries:\n  - name: hub\n    provider: dockerhub\n  - name: gh\n    provider: ghcr\n    prefix: /acme/\n    fallback: hub\ndefault: gh\ncaching: gh\nauto_push: {mode: users-decide, registry: hub}\n",
		"registries:\n  - &a {name: a, domain: x.io}\n  - <<: *a\n    name: b\n",
		"registries:\n  - name: a\n    domain: r.example\n    ca_file: /dev/zero\n",
		"registries:\n  - name: a\n    domain: r.example\n    prefix: a/../b\n",
		"registries:\n  - name: a\n    password: [Zq9secretXk7]\n",
		"registries: [1, 2]\n", "default: x\n", "- a\n", "",
	} {
		f.Add(s)
	}
	for _, path := range []string{"../../testdata/corpus/registries.yaml", "../../examples/quickstart/registries.yaml"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := Load(strings.NewReader(src), "r.yaml")
		if err == nil && c == nil {
			t.Fatal("Load returned neither a config nor an error")
		}
		// A password the file writes (the seeds' Zq9...) never shows.
		if err != nil && strings.Count(src, "Zq9") > 0 && strings.Count(src, "Zq9") == strings.Count(src, "password: Zq9") && strings.Contains(err.Error(), "Zq9") {
			t.Fatalf("Load error shows the password: %v", err)
		}
	})
}
