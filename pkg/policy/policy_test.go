package policy

import (
	"strings"
	"testing"

	"github.com/hoist-build/hoist/pkg/registries"
)

func config(t *testing.T, extra string) *registries.Config {
	t.Helper()
	c, err := registries.Load(strings.NewReader("registries:\n  - name: a\n    domain: a.io\n  - name: b\n    domain: b.io\n"+extra), "r.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		name    string
		step    Step
		pipe    Pipeline
		account string
		noRegs  bool
		want    string
	}{
		{"disable-push wins over all", Step{DisablePush: true, Registries: []string{"a"}}, Pipeline{Registry: "b"}, "", false, "no push (rule 1: the step sets disable_push)"},
		{"step registry", Step{Registries: []string{"b"}}, Pipeline{NoPush: true}, "auto_push: {mode: never}\n", false, `push to "b" (rule 2: the step's registry)`},
		{"step registries", Step{Registries: []string{"a", "b"}}, Pipeline{}, "", false, `push to "a", "b" (rule 2: the step's registry)`},
		{"pipeline registry", Step{}, Pipeline{Registry: "b"}, "auto_push: {mode: never}\n", false, `push to "b" (rule 3: the pipeline's auto-push setting)`},
		{"pipeline no push", Step{}, Pipeline{NoPush: true}, "", false, "no push (rule 3: the pipeline's auto-push setting)"},
		{"account registry", Step{}, Pipeline{}, "auto_push: {registry: b}\n", false, `push to "b" (rule 4: the account's auto_push)`},
		{"account never", Step{}, Pipeline{}, "auto_push: {mode: never}\n", false, "no push (rule 4: the account's auto_push)"},
		{"account default", Step{}, Pipeline{}, "default: b\n", false, `push to "b" (rule 5: the account's default registry)`},
		{"first is default", Step{}, Pipeline{}, "", false, `push to "a" (rule 5: the account's default registry)`},
		{"no registries", Step{}, Pipeline{}, "", true, "no push (rule 6: no registries are configured)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cfg *registries.Config
			if !tc.noRegs {
				cfg = config(t, tc.account)
			}
			d, err := Decide(tc.step, tc.pipe, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if d.String() != tc.want {
				t.Errorf("Decide() = %s, want %s", d, tc.want)
			}
		})
	}
}

func TestDecideErrors(t *testing.T) {
	if _, err := Decide(Step{Name: "app"}, Pipeline{}, config(t, "auto_push: {mode: users-decide}\n")); err == nil ||
		err != ErrUndecided {
		t.Errorf("users-decide: %v", err)
	}
	if _, err := Decide(Step{Name: "app"}, Pipeline{Registry: "zz"}, config(t, "")); err == nil ||
		err.Error() != `pipeline auto-push registry: unknown registry "zz" (known: a, b)` {
		t.Errorf("unknown pipeline registry: %v", err)
	}
	// users-decide still lets a step that decides through.
	if d, err := Decide(Step{Name: "app", Registries: []string{"a"}}, Pipeline{}, config(t, "auto_push: {mode: users-decide}\n")); err != nil || !d.Push() {
		t.Errorf("users-decide with a step registry = %v, %v", d, err)
	}
}
