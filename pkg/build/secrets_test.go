package build

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/solver/pb"
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

// TestRedactor: the values of secret-named build arguments are hidden in
// every text of BuildKit's statuses and in its errors; others are left.
func TestRedactor(t *testing.T) {
	t.Parallel()
	r := newRedactor([]string{"NPM_TOKEN=CANARY-1234", "BASE=registry.example/base:1", "API_KEY=abc"}, nil)
	ss := r.status(&client.SolveStatus{
		Vertexes: []*client.Vertex{{Name: `[2/2] RUN npm ci --token=CANARY-1234 # from registry.example/base:1`, Error: "exit 1: CANARY-1234"}},
		Statuses: []*client.VertexStatus{{ID: "CANARY-1234", Name: "x CANARY-1234"}},
		Logs:     []*client.VertexLog{{Data: []byte("token CANARY-1234\n")}},
		Warnings: []*client.VertexWarning{{Short: []byte("CANARY-1234"), Detail: [][]byte{[]byte("d CANARY-1234")}, SourceInfo: &pb.SourceInfo{Data: []byte("ARG NPM_TOKEN=CANARY-1234")}}},
	})
	got := fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%s", ss.Vertexes[0].Name, ss.Vertexes[0].Error, ss.Statuses[0].ID, ss.Statuses[0].Name,
		ss.Logs[0].Data, ss.Warnings[0].Short, ss.Warnings[0].Detail[0], ss.Warnings[0].SourceInfo.Data)
	want := "[2/2] RUN npm ci --token=*** # from registry.example/base:1|exit 1: ***|***|x ***|token ***\n|***|d ***|ARG NPM_TOKEN=***"
	if got != want {
		t.Errorf("status() =\n%q\nwant\n%q", got, want)
	}
	cause := errors.New(`process "/bin/sh -c npm ci --token=CANARY-1234" did not complete successfully`)
	if err := r.err(cause); err.Error() != `process "/bin/sh -c npm ci --token=***" did not complete successfully` || !errors.Is(err, cause) {
		t.Errorf("err() = %v; want the message redacted and the cause kept", err)
	}
	if newRedactor([]string{"BASE=x", "NODE_VERSION=20"}, []string{"ab"}) != nil {
		t.Error("newRedactor(no secret-named arguments, a short masked value) != nil")
	}
	// A masked value (an encrypted variable) is hidden whatever the
	// argument's name.
	m := newRedactor([]string{"GREETING=hello-CANARY"}, []string{"hello-CANARY"})
	if m == nil || m.str("RUN echo hello-CANARY") != "RUN echo ***" {
		t.Error("newRedactor(mask): the masked value shows")
	}
}
