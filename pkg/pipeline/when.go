package pipeline

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

func (l *loader) when(v *yaml.Node, field string) (*When, error) {
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
		case "condition", "steps":
			return nil, l.errf(kv.key, field+"."+kv.key.Value, "not supported yet: hoist evaluates when.branch only")
		default:
			return nil, l.errf(kv.key, field+"."+kv.key.Value, "unknown field (when takes branch, condition or steps)")
		}
	}
	return w, nil
}

func resolveAt(list *yaml.Node, i int) *yaml.Node {
	if list.Kind == yaml.SequenceNode && i < len(list.Content) {
		return resolve(list.Content[i])
	}
	return list
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
				return nil, fmt.Errorf("invalid regex %s: %v", pat, err)
			}
			return re.MatchString, nil
		}
	}
	return func(b string) bool { return b == pat }, nil
}

// Allows reports whether the clause lets a step run on branch, and if not, why.
func (w *When) Allows(branch string) (bool, string) {
	if w == nil {
		return true, ""
	}
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
