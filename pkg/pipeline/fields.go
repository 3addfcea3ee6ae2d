package pipeline

import (
	"sort"

	"gopkg.in/yaml.v3"
)

// suggest returns " (did you mean X?)" for the known name closest to k.
func suggest(k string, known map[string]bool) string {
	best, bestD := "", 3
	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if d := distance(k, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// fields walks the keys of a step in file order: legacy names are renamed,
// keys not in known are refused with a suggestion, and fields nested under
// arguments: are walked as if written at the top. lines records each key's
// line; fn handles each known key.
func (l *loader) fields(ps []pair, path string, known map[string]bool, lines map[string]int, fn func(k string, key, v *yaml.Node, field string) error) error {
	// Every field's problem is reported, not only the first's.
	var problems []error
	for _, kv := range ps {
		k, v := kv.key.Value, kv.value
		if n, ok := legacyNames[k]; ok {
			k = n
		}
		field := path + "." + k
		if !known[k] {
			problems = append(problems, l.errf(kv.key, path+"."+kv.key.Value, "unknown field%s", suggest(k, known)))
			continue
		}
		lines[k] = kv.key.Line
		if k == "arguments" {
			inner, err := pairs(v)
			if err != nil {
				problems = append(problems, l.errf(v, field, "must be a mapping of step fields"))
				continue
			}
			problems = append(problems, Problems(l.fields(inner, path, known, lines, fn))...)
			continue
		}
		problems = append(problems, Problems(fn(k, kv.key, v, field))...)
	}
	if len(problems) > 0 {
		return newProblems(problems)
	}
	return nil
}
