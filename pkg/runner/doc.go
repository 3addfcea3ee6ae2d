// Package runner runs a pipeline's steps: it plans each build step (variables,
// tags, references, the auto-push decision), builds it on BuildKit, passes
// step outputs on to later steps, and reports what it did.
package runner
