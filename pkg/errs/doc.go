// Package errs holds hoist's input errors (exit 2): a user mistake that
// names the file, line and field, and may wrap its cause.
//
// It is a leaf: it imports no other hoist package.
package errs
