package pipeline

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Eval evaluates a when.condition expression, after its ${{VAR}}
// references have been replaced, in the forms real pipelines use: string,
// number and boolean literals, == != < > <= >=, && || !, parentheses, and
// the functions includes(s, sub), match(s, regex, ignoreCase), lower(s),
// upper(s), trim(s) and length(s). Anything else is an error: an
// expression hoist cannot evaluate is never taken as true.
func Eval(expr string) (bool, error) {
	p := &exprParser{src: expr}
	p.next()
	v, err := p.or()
	if err != nil {
		return false, err
	}
	if p.tok.kind != tokEnd {
		return false, fmt.Errorf("unexpected %q at %d", p.tok.text, p.tok.pos)
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("the expression gives %v, not true or false", v)
	}
	return b, nil
}

type tokKind int

const (
	tokEnd tokKind = iota
	tokString
	tokNumber
	tokIdent
	tokOp
)

type token struct {
	kind tokKind
	text string
	pos  int
}

type exprParser struct {
	src string
	pos int
	tok token
	err error
}

func (p *exprParser) next() {
	for p.pos < len(p.src) && unicode.IsSpace(rune(p.src[p.pos])) {
		p.pos++
	}
	start := p.pos
	if p.pos >= len(p.src) {
		p.tok = token{kind: tokEnd, pos: start}
		return
	}
	c := p.src[p.pos]
	switch {
	case c == '\'' || c == '"':
		var sb strings.Builder
		p.pos++
		for p.pos < len(p.src) && p.src[p.pos] != c {
			// \' \" and \\ escape; any other backslash stays, as regexes need.
			if p.src[p.pos] == '\\' && p.pos+1 < len(p.src) && strings.ContainsRune("'\"\\", rune(p.src[p.pos+1])) {
				p.pos++
			}
			sb.WriteByte(p.src[p.pos])
			p.pos++
		}
		if p.pos >= len(p.src) {
			p.err = fmt.Errorf("unterminated string at %d", start)
			p.tok = token{kind: tokEnd, pos: start}
			return
		}
		p.pos++
		p.tok = token{kind: tokString, text: sb.String(), pos: start}
	case c >= '0' && c <= '9':
		for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == '.') {
			p.pos++
		}
		p.tok = token{kind: tokNumber, text: p.src[start:p.pos], pos: start}
	case unicode.IsLetter(rune(c)) || c == '_':
		for p.pos < len(p.src) && (unicode.IsLetter(rune(p.src[p.pos])) || unicode.IsDigit(rune(p.src[p.pos])) || p.src[p.pos] == '_') {
			p.pos++
		}
		p.tok = token{kind: tokIdent, text: p.src[start:p.pos], pos: start}
	default:
		for _, op := range []string{"===", "!==", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", ","} {
			if strings.HasPrefix(p.src[p.pos:], op) {
				p.pos += len(op)
				p.tok = token{kind: tokOp, text: op, pos: start}
				return
			}
		}
		p.err = fmt.Errorf("unexpected %q at %d", string(c), start)
		p.tok = token{kind: tokEnd, pos: start}
	}
}

func (p *exprParser) isOp(ops ...string) bool {
	if p.tok.kind != tokOp {
		return false
	}
	for _, o := range ops {
		if p.tok.text == o {
			return true
		}
	}
	return false
}

func (p *exprParser) or() (any, error) {
	l, err := p.and()
	for err == nil && p.isOp("||") {
		p.next()
		var r any
		if r, err = p.and(); err == nil {
			var lb, rb bool
			if lb, rb, err = bools(l, r, "||"); err == nil {
				l = lb || rb
			}
		}
	}
	return l, err
}

func (p *exprParser) and() (any, error) {
	l, err := p.cmp()
	for err == nil && p.isOp("&&") {
		p.next()
		var r any
		if r, err = p.cmp(); err == nil {
			var lb, rb bool
			if lb, rb, err = bools(l, r, "&&"); err == nil {
				l = lb && rb
			}
		}
	}
	return l, err
}

func bools(l, r any, op string) (bool, bool, error) {
	lb, lok := l.(bool)
	rb, rok := r.(bool)
	if !lok || !rok {
		return false, false, fmt.Errorf("%s needs true or false on both sides, got %v and %v", op, l, r)
	}
	return lb, rb, nil
}

func (p *exprParser) cmp() (any, error) {
	l, err := p.unary()
	if err != nil || !p.isOp("==", "!=", "===", "!==", "<", ">", "<=", ">=") {
		return l, err
	}
	op := p.tok.text
	p.next()
	r, err := p.unary()
	if err != nil {
		return nil, err
	}
	switch op {
	case "==", "===":
		return equal(l, r), nil
	case "!=", "!==":
		return !equal(l, r), nil
	}
	lf, lok := number(l)
	rf, rok := number(r)
	if !lok || !rok {
		return nil, fmt.Errorf("%s compares numbers, got %v and %v", op, l, r)
	}
	switch op {
	case "<":
		return lf < rf, nil
	case ">":
		return lf > rf, nil
	case "<=":
		return lf <= rf, nil
	}
	return lf >= rf, nil
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

func (p *exprParser) unary() (any, error) {
	if p.isOp("!") {
		p.next()
		v, err := p.unary()
		if err != nil {
			return nil, err
		}
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("! needs true or false, got %v", v)
		}
		return !b, nil
	}
	return p.primary()
}

func (p *exprParser) primary() (any, error) {
	if p.err != nil {
		return nil, p.err
	}
	t := p.tok
	switch t.kind {
	case tokString:
		p.next()
		return t.text, p.err
	case tokNumber:
		p.next()
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q", t.text)
		}
		return f, p.err
	case tokIdent:
		p.next()
		switch t.text {
		case "true":
			return true, p.err
		case "false":
			return false, p.err
		}
		if !p.isOp("(") {
			return nil, fmt.Errorf("unknown name %q at %d (strings need quotes)", t.text, t.pos)
		}
		p.next()
		var args []any
		for !p.isOp(")") {
			a, err := p.or()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if p.isOp(",") {
				p.next()
			} else if !p.isOp(")") {
				return nil, fmt.Errorf("expected , or ) at %d", p.tok.pos)
			}
		}
		p.next()
		return call(t.text, args)
	case tokOp:
		if t.text == "(" {
			p.next()
			v, err := p.or()
			if err != nil {
				return nil, err
			}
			if !p.isOp(")") {
				return nil, fmt.Errorf("missing ) at %d", p.tok.pos)
			}
			p.next()
			return v, p.err
		}
	}
	if t.kind == tokEnd {
		return nil, fmt.Errorf("the expression ends too early")
	}
	return nil, fmt.Errorf("unexpected %q at %d", t.text, t.pos)
}

func call(fn string, args []any) (any, error) {
	str := func(i int) string { return fmt.Sprint(args[i]) }
	want := map[string]int{"includes": 2, "lower": 1, "upper": 1, "trim": 1, "length": 1}
	if n, ok := want[fn]; ok && len(args) != n {
		return nil, fmt.Errorf("%s takes %d arguments, got %d", fn, n, len(args))
	}
	switch fn {
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
		if len(args) < 2 || len(args) > 3 {
			return nil, fmt.Errorf("match takes 2 or 3 arguments, got %d", len(args))
		}
		expr := str(1)
		if len(args) == 3 && args[2] == true {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("match: bad regex %q: %w", str(1), err)
		}
		return re.MatchString(str(0)), nil
	}
	return nil, fmt.Errorf("unknown function %s()", fn)
}
