// Package commands is hoist's cobra command tree: one file per command, each
// a thin shell over the pkg/ libraries.
package commands
