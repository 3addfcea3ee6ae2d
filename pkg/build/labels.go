package build

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// DockerfileLabels returns the label keys that the Dockerfile's LABEL
// instructions set in the target stage (the last one when target is empty)
// and the stages it is built FROM.
func DockerfileLabels(dockerfile []byte, target string) (map[string]bool, error) {
	_, stages, _, err := parseDockerfile(dockerfile)
	if err != nil {
		return nil, fmt.Errorf("parsing the Dockerfile: %w", err)
	}
	if len(stages) == 0 {
		return map[string]bool{}, nil
	}
	byName := map[string]int{}
	for i, s := range stages {
		if s.Name != "" {
			byName[strings.ToLower(s.Name)] = i
		}
	}
	i := len(stages) - 1
	if target != "" {
		var ok bool
		if i, ok = byName[strings.ToLower(target)]; !ok {
			return nil, fmt.Errorf("target stage %q is not in the Dockerfile", target)
		}
	}
	keys := map[string]bool{}
	for seen := map[int]bool{}; !seen[i]; {
		seen[i] = true
		for _, c := range stages[i].Commands {
			if l, ok := c.(*instructions.LabelCommand); ok {
				for _, kv := range l.Labels {
					keys[kv.Key] = true
				}
			}
		}
		next, ok := byName[strings.ToLower(stages[i].BaseName)]
		if !ok {
			break
		}
		i = next
	}
	return keys, nil
}
