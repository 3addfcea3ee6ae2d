package build

import (
	"regexp"
	"strings"
)

// The name parts by which BuildKit's SecretsUsedInArgOrEnv check (the
// warning docker build gives) tells a secret: a whole name or a part of it
// between underscores, in any case; names with a part that says the value
// is public are let through.
var (
	secretName = regexp.MustCompile(`(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)`)
	publicName = regexp.MustCompile(`(?i)(?:_|^)(?:public|file|version)(?:_|$)`)
)

// SecretArgs returns the names of the build arguments (KEY=VALUE) whose
// names say they hold a secret, such as NPM_TOKEN or DB_PASSWORD, each
// once, in order. A build argument's value stays in the image's history;
// a secret belongs in a build secret (RUN --mount=type=secret).
func SecretArgs(args []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, kv := range args {
		k, _, _ := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if secretName.MatchString(k) && !publicName.MatchString(k) && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
