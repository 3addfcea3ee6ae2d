package pipeline

import "time"

// Pipeline is a loaded codefresh.yml.
type Pipeline struct {
	// File is the path the pipeline was loaded from, used in error messages.
	File string
	// Dir is the folder of File: the default build context.
	Dir     string
	Version string
	// Mode is sequential (the default) or parallel: in parallel mode each
	// step starts when the steps its when.steps names have ended.
	Mode   Mode
	Stages []string
	// Warnings name the fields that load but that hoist does not act on,
	// each "file:line:col: field: why".
	Warnings []string
	// Notices say, one line each ("file:line:col: field: what"), what hoist
	// does with a field where the user may expect otherwise.
	Notices []string
	Steps   []*Step
	// shared maps a name that several steps have (scale: entries of
	// different steps) to those steps.
	shared map[string][]*Step
}

// Mode is how a pipeline's steps run: in file order, or each when what it
// waits for has ended.
type Mode string

// Pipeline modes.
const (
	ModeSequential Mode = "sequential"
	ModeParallel   Mode = "parallel"
)

// StepType is a step's type: what Codefresh runs it as.
type StepType string

// Step types hoist knows by name; every other type is listed as skipped.
const (
	TypeBuild    StepType = "build"
	TypePush     StepType = "push"
	TypeParallel StepType = "parallel"
	TypeGitClone StepType = "git-clone"
)

// State is how a step ended, as when.steps names it.
type State string

// Step states. Finished is only asked for: it holds for success and
// failure.
const (
	StateSuccess  State = "success"
	StateFailure  State = "failure"
	StateSkipped  State = "skipped"
	StateFinished State = "finished"
)

// Step is one entry of the pipeline's steps, in file order.
type Step struct {
	Name  string
	Type  StepType
	Title string
	Stage string
	// Line is where the step's name is written.
	Line int
	// Build is set for build steps.
	Build *BuildStep
	// Push is set for push steps.
	Push *PushStep
	// When holds the step's when: clause, if any.
	When *When
	// Children are the steps of a parallel block, or the steps a scale:
	// expands to; they run at the same time.
	Children []*Step
	// ScaleOf names the step whose scale: entry this step is; empty for
	// other steps. Entry names are scoped by their step: an entry whose
	// name another step also has is named ScaleOf/entry (see Entry).
	ScaleOf string
	// WorkingDirectory is the working_directory of a step hoist does not
	// run (freestyle, composition, ...), as written: ${{step}} names it.
	WorkingDirectory string
	// FailFast false lets the pipeline go on when the step fails.
	FailFast *bool
	// Retry says how often a failed build or push step is tried again.
	Retry *Retry
	// Timeout ends the step when it runs longer; none when zero.
	Timeout time.Duration
	// Hooks are the metadata.set entries of on_success, on_fail and
	// on_finish, in file order.
	Hooks []*MetadataHook
}

// Retry is a step's retry: block, as Codefresh writes it.
type Retry struct {
	// MaxAttempts counts every try, the first included.
	MaxAttempts int
	// Delay is the wait before the second try; each later wait is the one
	// before times ExponentialFactor.
	Delay             time.Duration
	ExponentialFactor float64
}

// BuildStep holds the fields of a build step that hoist executes. String
// fields still hold their ${{VAR}} references; Expand resolves them.
type BuildStep struct {
	ImageName         string
	WorkingDirectory  string
	Dockerfile        string
	DockerfileContent string
	// DockerfileAnywhere lets Dockerfile lie outside the build context's
	// repository: it was named on the command line (hoist build -f), not
	// by a pipeline file.
	DockerfileAnywhere bool
	Tag                string
	Tags               []string
	TagPolicy          string
	Registry           string
	DisablePush        bool
	NoCache            bool
	NoCFCache          bool
	// BuildArguments are KEY=VALUE entries in file order.
	BuildArguments []string
	Target         string
	Platform       string
	// Metadata are the metadata.set entries as KEY=VALUE, in file order.
	Metadata []string
	// CacheFrom are BuildKit cache imports as buildx's --cache-from takes
	// them: an image reference (a registry cache), or type=registry,ref=...
	// or type=local,src=... .
	CacheFrom []string
	// CacheTo are BuildKit cache exports as buildx's --cache-to takes
	// them: an image reference, or type=registry,ref=...,
	// type=local,dest=... or type=inline, with mode=min|max.
	CacheTo []string
	// Secrets are build secrets as buildctl's --secret takes them
	// ("id=x,src=path" or "id=x,env=VAR"), for RUN --mount=type=secret.
	Secrets []string
	// SSH are the SSH agents or keys to forward, as buildctl's --ssh takes
	// them ("default" or "id=path[,path]"), for RUN --mount=type=ssh.
	SSH []string
	// Annotations are buildx-style --annotation values, from the command
	// line only: a pipeline's annotations: are EntityAnnotations.
	Annotations []string
	// EntityAnnotations are the pipeline's annotations: entries,
	// Codefresh's annotations of its entities (the run, by default).
	EntityAnnotations []EntityAnnotations
	// Attests are buildx-style --attest entries (with --provenance and
	// --sbom), from the command line only: Codefresh's build step has no
	// attestation field.
	Attests []string
	// Flags are options only hoist build's flags set.
	Flags BuildFlags
	// Lines maps each field name that was set to the line it is on.
	Lines map[string]int
}

// When is a step's when: clause: branch rules and condition expressions.
type When struct {
	BranchOnly   []string
	BranchIgnore []string
	// All must all be true; of Any, at least one.
	All, Any []Condition
	// Steps are the steps this one waits for, and the states they must end
	// in; of StepsAny (when.steps.any), one is enough.
	Steps, StepsAny []StepState
	Line            int
}

// StepState is one entry of when.steps.
type StepState struct {
	Name string
	// On lists the accepted states: success (the default), failure,
	// finished or skipped.
	On []State
	// Line and Col are where the name is written.
	Line, Col int
}

// Condition is one named expression of when.condition.all or .any.
type Condition struct {
	Name, Expr string
	Line       int
	// parsed is Expr, parsed when the file was loaded.
	parsed *Expr
}
