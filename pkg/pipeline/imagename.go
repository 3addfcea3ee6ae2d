package pipeline

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// pathComponent is one component of a repository path in docker's
// reference grammar (distribution/reference): letters and digits,
// separated by ., _, __ or dashes. Upper case is let through here: the
// registry's own check names it.
var pathComponent = regexp.MustCompile(`^[a-zA-Z0-9]+(?:(?:[._]|__|-+)[a-zA-Z0-9]+)*$`)

// CheckImageName reports whether name (a repository path, without domain
// or tag; slashes at either end are ignored) is one every registry reads
// the same way: no empty, "." or ".." component, which a registry or a
// proxy would resolve to a path outside the integration's prefix.
func CheckImageName(name string) error {
	if why := pathProblem(strings.Trim(name, "/")); why != "" {
		return fmt.Errorf("image name %q %s", name, why)
	}
	return nil
}

// pathProblem says what is wrong with a repository path; "" when nothing.
func pathProblem(path string) string {
	if path == "" {
		return "is empty"
	}
	for _, c := range strings.Split(path, "/") {
		switch {
		case c == "":
			return "has an empty path component (//)"
		case c == "." || c == "..":
			return fmt.Sprintf("has a %q path component", c)
		case !pathComponent.MatchString(c):
			return fmt.Sprintf("has a path component, %q, that is not letters and digits separated by ., _, __ or -", c)
		}
	}
	return ""
}

// imageName reads an image_name field; one that names no variable is
// checked now, so validate finds a bad one (names with variables are
// checked when the step is planned).
func (l *loader) imageName(v *yaml.Node, field string) (string, error) {
	name, err := l.scalar(v, field)
	if err != nil || strings.TrimSpace(name) == "" || strings.Contains(name, "${{") {
		return name, err
	}
	if err := CheckImageName(name); err != nil {
		return "", l.errf(v, field, "%v", err)
	}
	return name, nil
}

// CheckReference checks the repository path of an image reference
// (host/path:tag or @digest) as CheckImageName does.
func CheckReference(ref string) error {
	path := ref
	if i := strings.Index(path, "@"); i >= 0 {
		path = path[:i]
	}
	if i := strings.LastIndex(path, ":"); i > strings.LastIndex(path, "/") {
		path = path[:i]
	}
	if host, rest, ok := strings.Cut(path, "/"); ok && (strings.ContainsAny(host, ".:") || host == "localhost") {
		path = rest
	}
	if why := pathProblem(path); why != "" {
		return fmt.Errorf("image reference %q %s", ref, why)
	}
	return nil
}
