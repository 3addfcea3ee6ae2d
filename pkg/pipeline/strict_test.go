package pipeline

import (
	"strings"
	"testing"
)

// loadProblems loads src and returns every problem, one a line, or "".
func loadProblems(t *testing.T, src string) string {
	t.Helper()
	_, err := Load(strings.NewReader(src), "f.yml")
	var lines []string
	for _, p := range Problems(err) {
		lines = append(lines, p.Error())
	}
	return strings.Join(lines, "\n")
}

const buildHead = "version: '1.0'\nsteps:\n  app:\n    type: build\n    image_name: acme/app\n"

// TestStringFieldsRefuseNumbers holds string fields to strings, as
// Codefresh's validator does: a number, boolean or date YAML reads is
// refused with its line; quoted, the same text loads.
func TestStringFieldsRefuseNumbers(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"tags", buildHead + "    tags:\n      - 1\n      - 2\n",
			"f.yml:7:9: steps.app.tags: must be a string, got the number 1 (quote it: \"1\")\n" +
				"f.yml:8:9: steps.app.tags: must be a string, got the number 2 (quote it: \"2\")"},
		{"tag-float", buildHead + "    tag: 1.0\n", "f.yml:6:10: steps.app.tag: must be a string, got the number 1.0 (quote it: \"1.0\")"},
		{"registry", buildHead + "    registry: 1\n", "f.yml:6:15: steps.app.registry: must be a string, got the number 1 (quote it: \"1\")"},
		{"cache-from", buildHead + "    cache_from: [0, false]\n",
			"f.yml:6:18: steps.app.cache_from: must be a string, got the number 0 (quote it: \"0\")\n" +
				"f.yml:6:21: steps.app.cache_from: must be a string, got the boolean false (quote it: \"false\")"},
		{"target-date", buildHead + "    target: 2024-01-01\n", "f.yml:6:13: steps.app.target: must be a string, got the date 2024-01-01 (quote it: \"2024-01-01\")"},
		{"working-directory", buildHead + "    working_directory: 7\n", "f.yml:6:24: steps.app.working_directory: must be a string, got the number 7 (quote it: \"7\")"},
		{"push-tags", "steps:\n  p:\n    type: push\n    candidate: acme/app:v1\n    tags: [true]\n    registry: 5\n",
			"f.yml:5:12: steps.p.tags: must be a string, got the boolean true (quote it: \"true\")\n" +
				"f.yml:6:15: steps.p.registry: must be a string, got the number 5 (quote it: \"5\")"},
		// Every field's problem is reported, as Codefresh's validator
		// reports them: its yaml-build-v2-failure case.
		{"all-at-once", buildHead + "    tags: [1]\n    registry: 1\n    disable_push: hello\n",
			"f.yml:6:12: steps.app.tags: must be a string, got the number 1 (quote it: \"1\")\n" +
				"f.yml:7:15: steps.app.registry: must be a string, got the number 1 (quote it: \"1\")\n" +
				"f.yml:8:19: steps.app.disable_push: must be true or false, got \"hello\""},
		{"quoted", buildHead + "    tag: '1.0'\n    tags: [\"1\", '2']\n    registry: \"1\"\n    cache_from: ['0']\n", ""},
		{"variables-and-words", buildHead + "    tag: ${{CF_SHORT_REVISION}}\n    tags: [latest, v1.2, yes]\n", ""},
		// YAML's null leaves the field unset, as before.
		{"null", buildHead + "    tag:\n    registry: ~\n", ""},
		// build_arguments as a map is hoist's own extension: values are
		// text whatever YAML makes of them.
		{"build-arguments-map", buildHead + "    build_arguments:\n      PORT: 8080\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := loadProblems(t, tc.src); got != tc.want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// TestPlatformNeedsBuildx: Codefresh's validator forbids platform when
// buildx is absent, empty or false, and takes it when buildx is on.
func TestPlatformNeedsBuildx(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"absent", buildHead + "    platform: linux/arm64\n",
			"f.yml:6:15: steps.app.platform: needs buildx: true beside it (Codefresh refuses platform without buildx)"},
		{"false", buildHead + "    platform: linux/arm64\n    buildx: false\n",
			"f.yml:6:15: steps.app.platform: needs buildx: true, but buildx is \"false\" on line 7 (Codefresh refuses platform without buildx)"},
		{"empty", buildHead + "    buildx:\n    platform: linux/arm64\n",
			"f.yml:7:15: steps.app.platform: needs buildx: true, but buildx is nothing on line 6 (Codefresh refuses platform without buildx)"},
		{"in-arguments", "steps:\n  app:\n    type: build\n    arguments:\n      image_name: acme/app\n      buildx: false\n      platform: linux/arm64\n",
			"f.yml:7:17: steps.app.platform: needs buildx: true, but buildx is \"false\" on line 6 (Codefresh refuses platform without buildx)"},
		{"true", buildHead + "    platform: linux/amd64,linux/arm64\n    buildx: true\n", ""},
		{"quoted-true", buildHead + "    buildx: 'true'\n    platform: linux/arm64\n", ""},
		{"variable", buildHead + "    buildx: ${{USE_BUILDX}}\n    platform: linux/arm64\n", ""},
		{"settings", buildHead + "    buildx:\n      builder:\n        driver: docker-container\n    platform: linux/arm64\n", ""},
		{"buildx-word", buildHead + "    buildx: maybe\n", "f.yml:6:13: steps.app.buildx: must be a boolean or a mapping, got \"maybe\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := loadProblems(t, tc.src); got != tc.want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// TestCosignShape checks cosign as Codefresh's validator does (a mapping,
// sign required and a boolean, options a flat mapping of strings) and
// keeps the warning that hoist does not sign.
func TestCosignShape(t *testing.T) {
	const notSigned = "f.yml:6:5: steps.app.cosign: hoist does not sign images: sign the pushed digest with cosign afterwards"
	for _, tc := range []struct{ name, src, want, warning string }{
		{"text", buildHead + "    cosign: 'test'\n", "f.yml:6:13: steps.app.cosign: must be a mapping with sign: and options:, got \"test\"", ""},
		{"no-sign", buildHead + "    cosign: {}\n", "f.yml:6:13: steps.app.cosign.sign: required: true or false", ""},
		{"nested-option", buildHead + "    cosign:\n      sign: true\n      options:\n        nested:\n          deeper: true\n",
			"f.yml:10:11: steps.app.cosign.options.nested: must be a string, got a mapping", ""},
		{"number-option", buildHead + "    cosign:\n      sign: true\n      options:\n        timeout: 30\n",
			"f.yml:9:18: steps.app.cosign.options.timeout: must be a string, got the number 30 (quote it: \"30\")", ""},
		{"sign-word", buildHead + "    cosign:\n      sign: please\n", "f.yml:7:13: steps.app.cosign.sign: must be true or false, got \"please\"", ""},
		{"unknown-key", buildHead + "    cosign:\n      sign: true\n      key: cosign.key\n", "f.yml:8:7: steps.app.cosign.key: unknown field (cosign takes sign and options)", ""},
		{"sign", buildHead + "    cosign:\n      sign: true\n", "", notSigned},
		{"sign-options", buildHead + "    cosign:\n      sign: ${{SIGN}}\n      options:\n        key: env://COSIGN_KEY\n", "", notSigned},
		{"sign-false", buildHead + "    cosign:\n      sign: false\n", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Load(strings.NewReader(tc.src), "f.yml")
			var lines []string
			for _, e := range Problems(err) {
				lines = append(lines, e.Error())
			}
			if got := strings.Join(lines, "\n"); got != tc.want {
				t.Fatalf("problems:\n%s\nwant:\n%s", got, tc.want)
			}
			if p == nil {
				return
			}
			if got := strings.Join(p.Warnings, "\n"); got != tc.warning {
				t.Errorf("warnings:\n%s\nwant:\n%s", got, tc.warning)
			}
		})
	}
}
