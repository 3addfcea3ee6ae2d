package distribute

import (
	"fmt"
	"regexp"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/registries"
)

// The names the distribution spec allows: a tag is up to 128 letters,
// digits, _, . and -, not starting with . or -; a repository is path
// components of lowercase letters and digits joined by ., _, __ or dashes,
// separated by single slashes.
var (
	tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
)

// maxNameLength is the longest repository name, registry host included,
// that the distribution registry takes.
const maxNameLength = 255

// CheckTag returns an input error when tag is not a tag registries take.
func CheckTag(tag string) error {
	if !tagPattern.MatchString(tag) {
		return errs.Input("invalid tag %s: tags are up to 128 letters, digits, _, . and -, not starting with . or -", quoteShort(tag))
	}
	return nil
}

// CheckRepository returns an input error when repo's path is not one
// registries take: an empty component, "." or "..", or a component the
// spec does not allow would send requests outside the repository, or be
// refused only after every blob was uploaded.
func CheckRepository(repo name.Repository) error {
	if err := registries.CheckPath(repo.Name()); err != nil {
		return errs.Input("invalid repository %q: %w", repo.Name(), err)
	}
	if n := len(repo.Name()); n > maxNameLength {
		return errs.Input("invalid repository %s: %d characters, at most %d with the registry host", quoteShort(repo.Name()), n, maxNameLength)
	}
	return nil
}

// CheckTargets checks every target's repository and tags.
func CheckTargets(targets []Target) error {
	for _, t := range targets {
		if err := CheckRepository(t.Repo); err != nil {
			return err
		}
		for _, tag := range t.Tags {
			if err := CheckTag(tag); err != nil {
				return fmt.Errorf("%s: %w", t.Repo, err)
			}
		}
	}
	return nil
}

// quoteShort quotes s, cut to 40 characters and with its length when
// longer.
func quoteShort(s string) string {
	if len(s) <= 40 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q… (%d characters)", s[:40], len(s))
}
