// Package errs holds hoist's error kinds: input errors (exit 2) that name the
// file, line and field of a user mistake.
package errs
