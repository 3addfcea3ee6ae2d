// Package version holds what hoist says of its own build: the release
// version, commit and date that the release build sets through -ldflags,
// the Go version, and the BuildKit client version it was built with.
//
// It is a leaf: it imports no other hoist package.
package version
