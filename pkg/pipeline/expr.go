package pipeline

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode"
)

// MaxDepth bounds how deeply a condition nests parentheses, ! and function
// calls: real conditions nest a few levels, and each level costs stack.
const MaxDepth = 100

// Expr is a when.condition expression, parsed once: string, number and
// boolean literals, == != < > <= >=, && || !, parentheses, the functions
// includes(s, sub), match(s, regex, ignoreCase), lower(s), upper(s),
// trim(s) and length(s), and ${{VAR}} references. A reference inside a
// string is replaced by the variable's value, or kept as written when the
// variable has none, as in Codefresh; a reference outside a string stands
// for one operand, the variable's value read as an expression (true, 3,
// 'text'). Anything else is an error: an expression hoist cannot evaluate
// is never taken as true.
//
// Its errors never show a variable's value: they name the variable, or
// quote the expression as written.
type Expr struct {
	src  string
	root *node
	// vars are the variables the expression names, each once, in order.
	vars []string
}

// ParseExpr parses a when.condition expression.
func ParseExpr(src string) (*Expr, error) {
	p := &exprParser{src: src, vars: true}
	root, err := p.parse()
	if err != nil {
		return nil, err
	}
	e := &Expr{src: src, root: root}
	seen := map[string]bool{}
	root.walk(func(n *node) {
		names := []string{n.name}
		if n.kind == nodeString {
			names = nil
			for _, part := range n.parts {
				names = append(names, part.name)
			}
		} else if n.kind != nodeVar {
			return
		}
		for _, name := range names {
			if name != "" && !seen[name] {
				seen[name] = true
				e.vars = append(e.vars, name)
			}
		}
	})
	return e, nil
}

// Vars lists the variables the expression names, each once, in order.
func (e *Expr) Vars() []string { return e.vars }

// Eval evaluates the expression with vars.
func (e *Expr) Eval(vars Vars) (bool, error) {
	v, err := e.eval(e.root, vars)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("the expression gives %s, not true or false", e.show(e.root, v))
	}
	return b, nil
}

// Eval parses and evaluates an expression that names no variable with a
// value: references in strings stay as written.
func Eval(expr string) (bool, error) {
	e, err := ParseExpr(expr)
	if err != nil {
		return false, err
	}
	return e.Eval(nil)
}

type nodeKind int

const (
	nodeLiteral nodeKind = iota // val
	nodeString                  // parts: text and variable references
	nodeVar                     // a reference outside a string: name
	nodeNot                     // kids[0]
	nodeAnd                     // kids, two or more
	nodeOr                      // kids, two or more
	nodeCompare                 // op, kids[0] and kids[1]
	nodeCall                    // name, kids are the arguments
)

type node struct {
	kind  nodeKind
	val   any
	parts []strPart
	name  string
	op    string
	kids  []*node
	// start and end are where the node is written in the expression.
	start, end int
	// vars says whether the node or one inside it names a variable.
	vars bool
}

// strPart is a piece of a string literal: text, or a variable reference
// (name) written as text.
type strPart struct {
	text, name string
}

func (n *node) walk(f func(*node)) {
	f(n)
	for _, k := range n.kids {
		k.walk(f)
	}
}

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

type tokKind int

const (
	tokEnd tokKind = iota
	tokString
	tokNumber
	tokIdent
	tokOp
	tokVar
)

type token struct {
	kind tokKind
	text string
	// parts are a string's pieces; name is a reference's variable.
	parts []strPart
	name  string
	// pos and end are where the token is written.
	pos, end int
}

// varRefAt matches a ${{NAME}} reference at the start of its input.
var varRefAt = regexp.MustCompile(`^\$\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}`)

type exprParser struct {
	src string
	// vars says whether ${{NAME}} references are read: in a pipeline's
	// expression they are, in a variable's value they are not.
	vars  bool
	pos   int
	tok   token
	err   error
	depth int
}

// parse reads the whole expression.
func (p *exprParser) parse() (*node, error) {
	p.next()
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.err != nil {
		return nil, p.err
	}
	if p.tok.kind != tokEnd {
		return nil, fmt.Errorf("unexpected %q at %d", p.tok.text, p.tok.pos)
	}
	return n, nil
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
		p.str(c, start)
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
		if m := p.ref(); m != nil {
			p.pos += len(m[0])
			p.tok = token{kind: tokVar, text: m[0], name: m[1], pos: start}
			return
		}
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

// ref returns the ${{NAME}} reference at the parser's position and its
// name, when references are read and one is there.
func (p *exprParser) ref() []string {
	if !p.vars || p.src[p.pos] != '$' {
		return nil
	}
	return varRefAt.FindStringSubmatch(p.src[p.pos:])
}

// str reads a string literal quoted with q, which starts at start: \' \"
// and \\ escape, any other backslash stays (as regexes need), and
// ${{NAME}} references are kept apart.
func (p *exprParser) str(q byte, start int) {
	var parts []strPart
	var sb strings.Builder
	p.pos++
	for p.pos < len(p.src) && p.src[p.pos] != q {
		if m := p.ref(); m != nil {
			if sb.Len() > 0 {
				parts = append(parts, strPart{text: sb.String()})
				sb.Reset()
			}
			parts = append(parts, strPart{text: m[0], name: m[1]})
			p.pos += len(m[0])
			continue
		}
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
	if sb.Len() > 0 || len(parts) == 0 {
		parts = append(parts, strPart{text: sb.String()})
	}
	p.tok = token{kind: tokString, text: p.src[start+1 : p.pos-1], parts: parts, pos: start, end: p.pos}
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

// enter counts one more level of nesting, up to MaxDepth.
func (p *exprParser) enter() error {
	if p.depth++; p.depth > MaxDepth {
		return fmt.Errorf("nested more than %d levels deep at %d", MaxDepth, p.tok.pos)
	}
	return nil
}

// list reads operands joined by op (&& or ||) into one node of kind.
func (p *exprParser) list(op string, kind nodeKind, operand func() (*node, error)) (*node, error) {
	first, err := operand()
	if err != nil || !p.isOp(op) {
		return first, err
	}
	n := &node{kind: kind, kids: []*node{first}, start: first.start, vars: first.vars}
	for p.isOp(op) {
		p.next()
		k, err := operand()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
		n.vars = n.vars || k.vars
		n.end = k.end
	}
	return n, nil
}

func (p *exprParser) or() (*node, error) {
	return p.list("||", nodeOr, p.and)
}

func (p *exprParser) and() (*node, error) {
	return p.list("&&", nodeAnd, p.cmp)
}

func (p *exprParser) cmp() (*node, error) {
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
	return &node{kind: nodeCompare, op: op, kids: []*node{l, r}, start: l.start, end: r.end, vars: l.vars || r.vars}, nil
}

func (p *exprParser) unary() (*node, error) {
	if !p.isOp("!") {
		return p.primary()
	}
	start := p.tok.pos
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.next()
	k, err := p.unary()
	if err != nil {
		return nil, err
	}
	p.depth--
	return &node{kind: nodeNot, kids: []*node{k}, start: start, end: k.end, vars: k.vars}, nil
}

func (p *exprParser) primary() (*node, error) {
	if p.err != nil {
		return nil, p.err
	}
	t := p.tok
	end := t.end
	if end == 0 {
		end = t.pos + len(t.text)
	}
	switch t.kind {
	case tokString:
		p.next()
		n := &node{kind: nodeString, parts: t.parts, start: t.pos, end: end}
		if len(t.parts) == 1 && t.parts[0].name == "" {
			n = &node{kind: nodeLiteral, val: t.parts[0].text, start: t.pos, end: end}
		}
		for _, part := range t.parts {
			n.vars = n.vars || part.name != ""
		}
		return n, p.err
	case tokVar:
		p.next()
		return &node{kind: nodeVar, name: t.name, start: t.pos, end: end, vars: true}, p.err
	case tokNumber:
		p.next()
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q", t.text)
		}
		return &node{kind: nodeLiteral, val: f, start: t.pos, end: end}, p.err
	case tokIdent:
		p.next()
		switch t.text {
		case "true", "false":
			return &node{kind: nodeLiteral, val: t.text == "true", start: t.pos, end: end}, p.err
		}
		if !p.isOp("(") {
			return nil, fmt.Errorf("unknown name %q at %d (strings need quotes)", t.text, t.pos)
		}
		return p.call(t)
	case tokOp:
		if t.text == "(" {
			if err := p.enter(); err != nil {
				return nil, err
			}
			p.next()
			n, err := p.or()
			if err != nil {
				return nil, err
			}
			if !p.isOp(")") {
				return nil, fmt.Errorf("missing ) at %d", p.tok.pos)
			}
			p.depth--
			p.next()
			return n, p.err
		}
	}
	if t.kind == tokEnd {
		return nil, fmt.Errorf("the expression ends too early")
	}
	return nil, fmt.Errorf("unexpected %q at %d", t.text, t.pos)
}

// call reads a function call whose name is t, at its (.
func (p *exprParser) call(t token) (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.next()
	n := &node{kind: nodeCall, name: t.text, start: t.pos}
	for !p.isOp(")") {
		a, err := p.or()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, a)
		n.vars = n.vars || a.vars
		if p.isOp(",") {
			p.next()
		} else if !p.isOp(")") {
			return nil, fmt.Errorf("expected , or ) at %d", p.tok.pos)
		}
	}
	n.end = p.tok.pos + 1
	p.depth--
	p.next()
	count, known := functions[t.text]
	switch {
	case !known:
		return nil, fmt.Errorf("unknown function %s()", t.text)
	case count[0] == count[1] && len(n.kids) != count[0]:
		return nil, fmt.Errorf("%s takes %d arguments, got %d", t.text, count[0], len(n.kids))
	case len(n.kids) < count[0] || len(n.kids) > count[1]:
		return nil, fmt.Errorf("%s takes %d or %d arguments, got %d", t.text, count[0], count[1], len(n.kids))
	}
	if t.text == "match" && n.kids[1].kind == nodeLiteral {
		// A regex written in the expression is checked now, not when a
		// step's turn comes.
		if re, ok := n.kids[1].val.(string); ok {
			if _, err := regexp.Compile(re); err != nil {
				return nil, fmt.Errorf("match: bad regex %q: %w", re, err)
			}
		}
	}
	return n, p.err
}
