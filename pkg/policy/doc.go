// Package policy decides where a build step's image goes: the auto-push
// policy of PRODUCT.md section 3, as a pure function that explains itself.
//
// It imports only registries (the account's settings) and errs of
// hoist's packages, and does no I/O.
package policy
