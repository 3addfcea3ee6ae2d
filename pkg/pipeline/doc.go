// Package pipeline holds the codefresh.yml model: loading with line numbers,
// validation of build and push steps, ${{VAR}} expansion, when: clauses,
// and the step graph of parallel mode.
//
// Loading: load.go reads the file and each step, steps.go a steps: mapping
// or a parallel step's list, scale.go a scale: (its entries named within
// their step), buildstep.go and pushstep.go the fields hoist runs,
// fields.go and values.go the walk over a step's keys and the readers of
// their values, strict.go the type rules of Codefresh's validator, and
// problems.go the error that holds every problem found. Variables:
// vars.go expands ${{VAR}}, system.go and system_change.go define
// Codefresh's CF_* system variables, varfile.go reads --var-file, and
// exports.go the variables cf_export leaves for later steps.
//
// It does no build or registry work: it imports only errs, files,
// gitinfo and ci of hoist's packages.
package pipeline
