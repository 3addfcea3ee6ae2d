package pipeline

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// eval evaluates n. Operands are all evaluated, as before: && and || do
// not stop early, so an operand hoist cannot evaluate is always an error.
func (e *Expr) eval(n *node, vars Vars) (any, error) {
	switch n.kind {
	case nodeLiteral:
		return n.val, nil
	case nodeString:
		var sb strings.Builder
		for _, part := range n.parts {
			if v, ok := vars[part.name]; ok && part.name != "" {
				sb.WriteString(v)
			} else {
				sb.WriteString(part.text)
			}
		}
		return sb.String(), nil
	case nodeVar:
		return varValue(n.name, vars)
	case nodeNot:
		v, err := e.eval(n.kids[0], vars)
		if err != nil {
			return nil, err
		}
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("! needs true or false, got %s", e.show(n.kids[0], v))
		}
		return !b, nil
	case nodeAnd, nodeOr:
		return e.logic(n, vars)
	case nodeCompare:
		return e.compare(n, vars)
	case nodeCall:
		args := make([]any, len(n.kids))
		for i, k := range n.kids {
			v, err := e.eval(k, vars)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
		return e.call(n, args)
	}
	return nil, fmt.Errorf("unknown expression node %d", n.kind)
}

// varValue reads a variable's value as one operand. Its errors name the
// variable, never the value.
func varValue(name string, vars Vars) (any, error) {
	val, ok := vars[name]
	if !ok {
		return nil, fmt.Errorf("${{%s}} has no value (outside quotes a variable must be defined)", name)
	}
	p := &exprParser{src: val}
	n, err := p.parse()
	if err != nil {
		return nil, fmt.Errorf("the value of ${{%s}} is not a value hoist can compare (quote the variable to compare it as text: '${{%s}}')", name, name)
	}
	inner := &Expr{src: val, root: n}
	v, err := inner.eval(n, nil)
	if err != nil {
		return nil, fmt.Errorf("the value of ${{%s}} cannot be evaluated", name)
	}
	return v, nil
}

func (e *Expr) logic(n *node, vars Vars) (any, error) {
	op := "&&"
	if n.kind == nodeOr {
		op = "||"
	}
	l, err := e.eval(n.kids[0], vars)
	if err != nil {
		return nil, err
	}
	left := n.kids[0]
	for _, k := range n.kids[1:] {
		r, err := e.eval(k, vars)
		if err != nil {
			return nil, err
		}
		lb, lok := l.(bool)
		rb, rok := r.(bool)
		if !lok || !rok {
			return nil, fmt.Errorf("%s needs true or false on both sides, got %s and %s", op, e.show(left, l), e.show(k, r))
		}
		if n.kind == nodeAnd {
			l = lb && rb
		} else {
			l = lb || rb
		}
		// From here on the left side is the result so far, made of the
		// operands before.
		left = &node{kind: n.kind, vars: left.vars || k.vars, start: n.kids[0].start, end: k.end}
	}
	return l, nil
}

func (e *Expr) compare(n *node, vars Vars) (any, error) {
	l, err := e.eval(n.kids[0], vars)
	if err != nil {
		return nil, err
	}
	r, err := e.eval(n.kids[1], vars)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "==", "===":
		return equal(l, r), nil
	case "!=", "!==":
		return !equal(l, r), nil
	}
	lf, lok := number(l)
	rf, rok := number(r)
	if !lok || !rok {
		return nil, fmt.Errorf("%s compares numbers, got %s and %s", n.op, e.show(n.kids[0], l), e.show(n.kids[1], r))
	}
	switch n.op {
	case "<":
		return lf < rf, nil
	case ">":
		return lf > rf, nil
	case "<=":
		return lf <= rf, nil
	}
	return lf >= rf, nil
}

// show describes the value v of node n for an error: the value itself
// when the expression's own text gives it, else its kind and the text it
// comes from, which names the variables and not their values.
func (e *Expr) show(n *node, v any) string {
	if !n.vars {
		return fmt.Sprint(v)
	}
	kind := "a string"
	switch v.(type) {
	case float64:
		kind = "a number"
	case bool:
		kind = "a boolean"
	}
	return kind + " from " + e.src[n.start:n.end]
}

// equal compares as JavaScript's == does for the values expressions hold.
func equal(l, r any) bool {
	if lf, ok := number(l); ok {
		if rf, ok := number(r); ok {
			_, ls := l.(string)
			_, rs := r.(string)
			if !(ls && rs) {
				return lf == rf
			}
		}
	}
	return fmt.Sprint(l) == fmt.Sprint(r)
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// functions are the functions expressions may call and how many
// arguments each takes (match: 2 or 3).
var functions = map[string][2]int{
	"includes": {2, 2}, "lower": {1, 1}, "upper": {1, 1}, "trim": {1, 1}, "length": {1, 1}, "match": {2, 3},
}

func (e *Expr) call(n *node, args []any) (any, error) {
	str := func(i int) string { return fmt.Sprint(args[i]) }
	switch n.name {
	case "includes":
		return strings.Contains(str(0), str(1)), nil
	case "lower":
		return strings.ToLower(str(0)), nil
	case "upper":
		return strings.ToUpper(str(0)), nil
	case "trim":
		return strings.TrimSpace(str(0)), nil
	case "length":
		return float64(len(str(0))), nil
	case "match":
		expr := str(1)
		if len(args) == 3 && args[2] == true {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, e.badRegex(n.kids[1], str(1), err)
		}
		return re.MatchString(str(0)), nil
	}
	return nil, fmt.Errorf("unknown function %s()", n.name)
}

// badRegex says why match's regex does not compile; a regex that comes
// from a variable is named by its text in the expression.
func (e *Expr) badRegex(n *node, re string, err error) error {
	if !n.vars {
		return fmt.Errorf("match: bad regex %q: %w", re, err)
	}
	why := "it does not compile"
	var se *syntax.Error
	if errors.As(err, &se) {
		why = string(se.Code)
	}
	return fmt.Errorf("match: bad regex from %s: %s", e.src[n.start:n.end], why)
}
