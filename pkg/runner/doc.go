// Package runner runs a pipeline's steps: it plans each step (variables,
// tags, references, the auto-push decision), runs them in order, in
// parallel blocks or as a graph (mode: parallel), with retry and timeout,
// passes step outputs on to later steps, and reports what each did. It
// builds through a Builder (pkg/build) and publishes through a Publisher
// (pkg/distribute). Around the plan: codefresh run's options (select.go:
// --skip and --only; revision.go: --branch and --sha; cache.go: the
// caching registry, --no-cache, --no-cf-cache and the step's own caches),
// Codefresh's volume and the folders of steps hoist does not run
// (volume.go), and hoist build's exact -t references (exact.go).
//
// It may import build, distribute, registries, policy, pipeline, progress,
// gitinfo, trace, errs and files; never commands or images. Nothing below it
// imports it.
package runner
