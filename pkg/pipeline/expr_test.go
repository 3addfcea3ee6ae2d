package pipeline

import "testing"

func TestEval(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{`'main' == 'main'`, true},
		{`"main" != 'main'`, false},
		{`'feature/x' == "main" || 'a' == 'a'`, true},
		{`!('a' == 'b') && true`, true},
		{`includes('Fix build [skip ci]', '[skip ci]') == false`, false},
		{`includes(lower("Release NOW"), "release")`, true},
		{`match('release-1.2', '^release-\d+', false)`, true},
		{`match('RELEASE-1', '^release', true)`, true},
		{`match('RELEASE-1', '^release', false)`, false},
		{`'10' > 9`, true},
		{`length(trim('  ab ')) == 2`, true},
		{`'${{UNDEFINED}}' == '${{UNDEFINED}}'`, true},
		{`1 == '1'`, true},
		{`upper('a') === 'A'`, true},
	} {
		got, err := Eval(tc.expr)
		if err != nil || got != tc.want {
			t.Errorf("Eval(%q) = %v, %v; want %v", tc.expr, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ expr, want string }{
		{`main == 'main'`, `unknown name "main" at 0 (strings need quotes)`},
		{`'a' ==`, "the expression ends too early"},
		{`'a`, "unterminated string at 0"},
		{`'a' == 'a' 'b'`, `unexpected "b" at 11`},
		{`'abc'`, "the expression gives abc, not true or false"},
		{`Variable('X') == 'y'`, "unknown function Variable()"},
		{`'a' && true`, "&& needs true or false on both sides, got a and true"},
		{`match('a', '(', false)`, "match: bad regex \"(\": error parsing regexp: missing closing ): `(`"},
		{`'a' # 'b'`, `unexpected "#" at 4`},
	} {
		if _, err := Eval(tc.expr); err == nil || err.Error() != tc.want {
			t.Errorf("Eval(%q) error = %v, want %s", tc.expr, err, tc.want)
		}
	}
}

func FuzzEval(f *testing.F) {
	for _, s := range []string{`'a' == 'a'`, `includes(lower("X"), 'x') && !false`, `match('r-1', '^r', true) || 1 < 2`, `((('`, `'\''`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		Eval(expr) // must not panic
	})
}
