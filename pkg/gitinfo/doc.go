// Package gitinfo reads what Codefresh's CF_* system variables describe from
// a git checkout: branch, revision, commit message and author, repository.
//
// It is a leaf: it imports no other hoist package.
package gitinfo
