// Package pipeline holds the codefresh.yml model: loading with line numbers,
// validation of build steps, and ${{VAR}} expansion. It does no build or
// registry work.
package pipeline
