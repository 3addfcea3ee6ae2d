// Package pipeline holds the codefresh.yml model: loading with line numbers,
// validation of build and push steps, ${{VAR}} expansion, when: clauses,
// and the step graph of parallel mode.
//
// It does no build or registry work: it imports only errs, files,
// gitinfo and ci of hoist's packages.
package pipeline
