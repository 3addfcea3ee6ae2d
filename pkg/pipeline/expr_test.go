package pipeline

import (
	"strings"
	"testing"
	"time"
)

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
		{`match('a')`, "match takes 2 or 3 arguments, got 1"},
		{`lower('a', 'b') == 'a'`, "lower takes 1 arguments, got 2"},
		{`${{X}} == 'a'`, "${{X}} has no value (outside quotes a variable must be defined)"},
		{`$X == 'a'`, `unexpected "$" at 0`},
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

// TestExprDepth: nesting is bounded, and an expression past the bound is
// an error at once, however deep it goes.
func TestExprDepth(t *testing.T) {
	nest := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "true" + strings.Repeat(close, n)
	}
	for _, tc := range []struct {
		expr string
		ok   bool
	}{
		{nest("(", ")", MaxDepth), true},
		{nest("(", ")", MaxDepth+1), false},
		{nest("!", "", MaxDepth), true},
		{nest("!", "", MaxDepth+1), false},
		{nest("lower(", ")", MaxDepth-1) + " == 'true'", true},
		{nest("lower(", ")", MaxDepth+1) + " == 'true'", false},
		{nest("(!", ")", MaxDepth/2), true},
		{nest("(", ")", 1_000_000), false},
		// Long flat chains are not nesting.
		{strings.Repeat("'a' == 'a' && ", 100_000) + "true", true},
	} {
		start := time.Now()
		_, err := Eval(tc.expr)
		if tc.ok && err != nil {
			t.Errorf("Eval(%.40s... %d bytes) = %v, want no error", tc.expr, len(tc.expr), err)
		}
		if !tc.ok && (err == nil || !strings.HasPrefix(err.Error(), "nested more than 100 levels deep at ")) {
			t.Errorf("Eval(%.40s... %d bytes) = %v, want nested more than 100 levels", tc.expr, len(tc.expr), err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Eval(%.40s... %d bytes) took %v", tc.expr, len(tc.expr), d)
		}
	}
}

// TestExprVars: a reference in a string is replaced by the value, never
// read as expression text (a value with quotes cannot change the
// condition); one outside a string is one operand.
func TestExprVars(t *testing.T) {
	for _, tc := range []struct {
		expr string
		vars Vars
		want bool
	}{
		{`'${{B}}' == 'main'`, Vars{"B": "main"}, true},
		{`"${{B}}" == "main"`, Vars{"B": "dev"}, false},
		{`'${{B}}' == 'x' || 'a' == 'a'`, Vars{"B": "x' == 'y"}, true},
		{`'${{B}}' == 'main'`, Vars{"B": "x' || 'a' == 'a"}, false},
		{`'${{B}}' == '${{B}}'`, Vars{}, true},
		{`'pre-${{ B }}-post' == 'pre-v1-post'`, Vars{"B": "v1"}, true},
		{`${{N}} > 3`, Vars{"N": "5"}, true},
		{`${{FLAG}} == true`, Vars{"FLAG": "true"}, true},
		{`${{FLAG}}`, Vars{"FLAG": "false"}, false},
		{`!${{FLAG}}`, Vars{"FLAG": "false"}, true},
		{`${{S}} == 'x'`, Vars{"S": "'x'"}, true},
		{`includes('${{LIST}}', '${{ITEM}}')`, Vars{"LIST": "a,b,c", "ITEM": "b"}, true},
		{`match('${{B}}', '^release-${{V}}$', false)`, Vars{"B": "release-2", "V": "2"}, true},
	} {
		e, err := ParseExpr(tc.expr)
		if err != nil {
			t.Errorf("ParseExpr(%q) = %v", tc.expr, err)
			continue
		}
		got, err := e.Eval(tc.vars)
		if err != nil || got != tc.want {
			t.Errorf("Eval(%q, %v) = %v, %v; want %v", tc.expr, tc.vars, got, err, tc.want)
		}
	}
	e, _ := ParseExpr(`'${{A}}' == "${{B}}" || ${{A}} > 1 && match('${{C}}', 'x', true)`)
	if got := strings.Join(e.Vars(), ","); got != "A,B,C" {
		t.Errorf("Vars() = %s, want A,B,C", got)
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

// FuzzExprValue evaluates expressions with a variable whose value is
// fuzzed too: never a panic, and an error never shows the value.
func FuzzExprValue(f *testing.F) {
	for _, s := range [][2]string{
		{`${{X}} == 'a'`, "dev"}, {`'${{X}}' && true`, "token"}, {`match('a', '${{X}}', true)`, "("},
		{`${{X}} > 1`, "'a' == 'a'"}, {`!${{X}}`, "((("}, {`length('${{X}}') < ${{X}}`, "12"}, {`lower(${{X}})`, "x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, expr, value string) {
		const open, close = "Zq9", "Xk7"
		if strings.Contains(expr, open) || strings.Contains(expr, close) {
			return
		}
		e, err := ParseExpr(expr)
		if err != nil {
			return
		}
		_, err = e.Eval(Vars{"X": open + value + close})
		if err != nil && (strings.Contains(err.Error(), open) || strings.Contains(err.Error(), close)) {
			t.Fatalf("Eval(%q) with X=%q: the error shows the value: %v", expr, value, err)
		}
	})
}
