package build

import (
	"strings"
	"testing"
)

func TestSecretArgs(t *testing.T) {
	t.Parallel()
	args := []string{
		"NPM_TOKEN=CANARY", "DB_PASSWORD=x", "api_key=x", "AUTH=x", "GITHUB_TOKEN_FILE=/run/x", "PUBLIC_KEY=x",
		"NODE_VERSION=20", "TOKENIZER=x", "KEYCLOAK_URL=x", "SECRET_MESSAGE=x", "NPM_TOKEN=again", "Credentials=x", "NOEQUALS",
	}
	got := strings.Join(SecretArgs(args), ",")
	if want := "NPM_TOKEN,DB_PASSWORD,api_key,AUTH,SECRET_MESSAGE,Credentials"; got != want {
		t.Errorf("SecretArgs() = %s, want %s", got, want)
	}
}
