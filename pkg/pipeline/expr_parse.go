package pipeline

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

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
