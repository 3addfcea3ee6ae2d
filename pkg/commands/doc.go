// Package commands is hoist's cobra command tree: one file per command,
// each a thin shell over the pkg/ libraries, and one option struct per
// group of flags (AddFlags, Validate), bound only to the commands that
// use them, each flag with its own HOIST_* variable.
//
// It is the top of the tree: no other hoist package imports it.
package commands
