package pipeline

import (
	"fmt"
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
