package pipeline

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/hoist-build/hoist/pkg/errs"
)

func (l *loader) when(v *yaml.Node, field string) (*When, error) {
	return l.whenClause(v, field, true)
}

// whenClause reads a when: clause; its conditions only when conditions is
// set (they are parsed, and an expression hoist cannot evaluate is an
// error).
func (l *loader) whenClause(v *yaml.Node, field string, conditions bool) (*When, error) {
	w := &When{Line: v.Line}
	ps, err := pairs(v)
	if err != nil {
		return nil, l.errf(v, field, "must be a mapping")
	}
	for _, kv := range ps {
		switch kv.key.Value {
		case "branch":
			bps, err := pairs(kv.value)
			if err != nil {
				return nil, l.errf(kv.value, field+".branch", "must be a mapping with only: or ignore:")
			}
			for _, b := range bps {
				f := field + ".branch." + b.key.Value
				list, err := l.strings(b.value, f)
				if err != nil {
					return nil, err
				}
				for i, pat := range list {
					if _, err := branchMatcher(pat); err != nil {
						return nil, l.errf(resolveAt(b.value, i), f, "%v", err)
					}
				}
				switch b.key.Value {
				case "only":
					w.BranchOnly = list
				case "ignore":
					w.BranchIgnore = list
				default:
					return nil, l.errf(b.key, f, "unknown field (branch takes only: or ignore:)")
				}
			}
		case "condition":
			if !conditions {
				continue
			}
			cps, err := pairs(kv.value)
			if err != nil {
				return nil, l.errf(kv.value, field+".condition", "must be a mapping with all: or any:")
			}
			for _, c := range cps {
				f := field + ".condition." + c.key.Value
				exprs, err := pairs(c.value)
				if err != nil {
					return nil, l.errf(c.value, f, "must be a mapping of names to expressions")
				}
				var conds []Condition
				for _, e := range exprs {
					if e.value.Kind != yaml.ScalarNode {
						return nil, l.errf(e.value, f+"."+e.key.Value, "must be an expression string, got %s", kindName(e.value))
					}
					// Parsed now, so validate finds what run would: an
					// expression that names no variable is evaluated too.
					expr, err := ParseExpr(e.value.Value)
					if err == nil && len(expr.Vars()) == 0 {
						_, err = expr.Eval(nil)
					}
					if err != nil {
						return nil, l.errf(e.value, f+"."+e.key.Value, "cannot evaluate %s: %v", quoteExpr(e.value.Value), err)
					}
					conds = append(conds, Condition{Name: e.key.Value, Expr: e.value.Value, Line: e.value.Line, parsed: expr})
				}
				switch c.key.Value {
				case "all":
					w.All = conds
				case "any":
					w.Any = conds
				default:
					return nil, l.errf(c.key, f, "unknown field (condition takes all: or any:)")
				}
			}
		case "steps":
			// A list (all must hold), or Codefresh's {all: [...], any: [...]}.
			if kv.value.Kind == yaml.SequenceNode {
				if w.Steps, err = l.stepStates(kv.value, field+".steps"); err != nil {
					return nil, err
				}
				continue
			}
			sps, err := pairs(kv.value)
			if err != nil {
				return nil, l.errf(kv.value, field+".steps", "must be a list of {name, on}, or a mapping with all: or any:")
			}
			for _, g := range sps {
				f := field + ".steps." + g.key.Value
				var list []StepState
				if g.value.Kind != yaml.SequenceNode {
					return nil, l.errf(g.value, f, "must be a list of {name, on}")
				}
				if list, err = l.stepStates(g.value, f); err != nil {
					return nil, err
				}
				switch g.key.Value {
				case "all":
					w.Steps = append(w.Steps, list...)
				case "any":
					w.StepsAny = append(w.StepsAny, list...)
				default:
					return nil, l.errf(g.key, f, "unknown field (when.steps takes all: or any:)")
				}
			}
		default:
			return nil, l.errf(kv.key, field+"."+kv.key.Value, "unknown field (when takes branch, condition or steps)")
		}
	}
	return w, nil
}

// stepStates reads a list of when.steps entries: {name: STEP, on: [STATES]}.
func (l *loader) stepStates(list *yaml.Node, field string) ([]StepState, error) {
	var out []StepState
	for _, item := range list.Content {
		deps, err := pairs(item)
		if err != nil {
			return nil, l.errf(item, field, "entries must be {name: STEP, on: [STATES]}")
		}
		d := StepState{On: []State{StateSuccess}, Line: item.Line, Col: item.Column}
		for _, e := range deps {
			f := field + "." + e.key.Value
			switch e.key.Value {
			case "name":
				d.Name, err = l.scalar(e.value, f)
				d.Line, d.Col = e.value.Line, e.value.Column
			case "on":
				var on []string
				on, err = l.strings(e.value, f)
				d.On = nil
				for _, st := range on {
					if !stepStates[State(st)] {
						err = l.errf(e.value, f, "unknown state %q (want success, failure, finished or skipped)", st)
					}
					d.On = append(d.On, State(st))
				}
			default:
				err = l.errf(e.key, f, "unknown field (when.steps entries take name and on)")
			}
			if err != nil {
				return nil, err
			}
		}
		if d.Name == "" {
			return nil, l.errf(item, field, "an entry needs name")
		}
		out = append(out, d)
	}
	return out, nil
}

func resolveAt(list *yaml.Node, i int) *yaml.Node {
	if list.Kind == yaml.SequenceNode && i < len(list.Content) {
		return resolve(list.Content[i])
	}
	return list
}

// stepStates are the states when.steps can wait for.
var stepStates = map[State]bool{StateSuccess: true, StateFailure: true, StateFinished: true, StateSkipped: true}

// AllowsAfter reports whether the steps the clause depends on ended in the
// states it asks for; state maps step names to success, failure or skipped.
func (w *When) AllowsAfter(state map[string]State) (bool, string) {
	if w == nil {
		return true, ""
	}
	for _, d := range w.Steps {
		if ok, why := d.holds(state); !ok {
			return false, "when.steps: " + why
		}
	}
	if len(w.StepsAny) == 0 {
		return true, ""
	}
	var whys []string
	for _, d := range w.StepsAny {
		ok, why := d.holds(state)
		if ok {
			return true, ""
		}
		whys = append(whys, why)
	}
	return false, "when.steps.any: " + strings.Join(whys, "; ")
}

// holds reports whether the step d names ended in a state d accepts, and
// if not, why.
func (d StepState) holds(state map[string]State) (bool, string) {
	got, ok := state[d.Name]
	if !ok {
		return false, fmt.Sprintf("step %s has not run", d.Name)
	}
	for _, want := range d.On {
		if want == got || want == StateFinished && got != StateSkipped {
			return true, ""
		}
	}
	on := make([]string, len(d.On))
	for i, st := range d.On {
		on[i] = string(st)
	}
	return false, fmt.Sprintf("step %s ended %s, not %s", d.Name, got, strings.Join(on, " or "))
}

// Deps lists every step the clause waits for: when.steps and its any: list.
func (w *When) Deps() []StepState {
	if w == nil {
		return nil
	}
	return append(slices.Clone(w.Steps), w.StepsAny...)
}

// branchMatcher compiles a branch rule: a plain name, or /regex/ with an
// optional i flag, as Codefresh writes them.
func branchMatcher(pat string) (func(string) bool, error) {
	if len(pat) >= 2 && strings.HasPrefix(pat, "/") {
		end := strings.LastIndex(pat, "/")
		if end > 0 {
			expr, flags := pat[1:end], pat[end+1:]
			if flags == "i" {
				expr = "(?i)" + expr
			} else if flags != "" {
				return nil, fmt.Errorf("unsupported regex flags %q in %s", flags, pat)
			}
			re, err := regexp.Compile(expr)
			if err != nil {
				return nil, fmt.Errorf("invalid regex %s: %w", pat, err)
			}
			return re.MatchString, nil
		}
	}
	return func(b string) bool { return b == pat }, nil
}

// Allows reports whether the clause lets a step run with vars, and if not,
// why. Variables in conditions' strings that vars lacks stay as written, as
// in Codefresh. A condition that cannot be evaluated is an input error
// naming file, line, field and the variables the condition uses, never
// their values.
func (w *When) Allows(file, path string, vars Vars) (bool, string, error) {
	if w == nil {
		return true, "", nil
	}
	if ok, why := w.allowsBranch(vars["CF_BRANCH"]); !ok {
		return false, why, nil
	}
	eval := func(kind string, c Condition) (bool, error) {
		expr := c.parsed
		var err error
		if expr == nil {
			expr, err = ParseExpr(c.Expr)
		}
		ok := false
		if err == nil {
			ok, err = expr.Eval(vars)
		}
		if err != nil {
			msg := "cannot evaluate " + quoteExpr(c.Expr) + ": " + err.Error()
			if expr != nil && len(expr.Vars()) > 0 {
				msg += " (values of " + strings.Join(expr.Vars(), ", ") + " not shown)"
			}
			return false, &errs.InputError{File: file, Line: c.Line, Field: path + ".when.condition." + kind + "." + c.Name, Msg: msg}
		}
		return ok, nil
	}
	for _, c := range w.All {
		ok, err := eval("all", c)
		if err != nil {
			return false, "", err
		}
		if !ok {
			return false, fmt.Sprintf("when.condition.all.%s is false", c.Name), nil
		}
	}
	if len(w.Any) > 0 {
		for _, c := range w.Any {
			ok, err := eval("any", c)
			if err != nil {
				return false, "", err
			}
			if ok {
				return true, "", nil
			}
		}
		return false, "no when.condition.any expression is true", nil
	}
	return true, "", nil
}

// quoteExpr quotes an expression for an error, its first 100 bytes when
// it is longer.
func quoteExpr(s string) string {
	if len(s) <= 100 {
		return strconv.Quote(s)
	}
	cut := 100
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("... (%d bytes)", len(s))
}

// allowsBranch applies branch.only and branch.ignore.
func (w *When) allowsBranch(branch string) (bool, string) {
	if len(w.BranchOnly) > 0 {
		ok := false
		for _, pat := range w.BranchOnly {
			if m, err := branchMatcher(pat); err == nil && m(branch) {
				ok = true
			}
		}
		if !ok {
			return false, fmt.Sprintf("branch %q is not in when.branch.only %v", branch, w.BranchOnly)
		}
	}
	for _, pat := range w.BranchIgnore {
		if m, err := branchMatcher(pat); err == nil && m(branch) {
			return false, fmt.Sprintf("branch %q matches when.branch.ignore %s", branch, pat)
		}
	}
	return true, ""
}
