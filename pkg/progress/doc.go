// Package progress holds hoist's progress display: one BuildKit display
// (progressui) for a whole run. Every build writes its BuildKit statuses
// into it under its step's name, and work that is not BuildKit's (a push,
// a copy, a retry notice) shows as a vertex of its own, so parallel steps
// share one tty display and a push shows progress while it runs.
//
// A run makes one Printer, takes a Step for each pipeline step (Child for
// the steps of a parallel block), hands Step.Status's channel to
// client.Solve, opens a Task for other work, and closes the Printer at the
// end.
//
// The package is a leaf: it imports only BuildKit's client, solver/pb and
// progressui packages, go-digest and the standard library, never another
// hoist package.
package progress
