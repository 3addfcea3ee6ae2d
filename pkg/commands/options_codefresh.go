package commands

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/runner"
)

// CodefreshRunOptions are the flags of codefresh run that hoist run and
// hoist explain take too: the branch and commit, the caches, and the
// steps to skip or to run alone.
type CodefreshRunOptions struct {
	// Branch and SHA are the branch and commit the run is for, over git's
	// and the CI's.
	Branch, SHA string
	// NoCache turns all layer cache off; NoCFCache the caching registry.
	NoCache, NoCFCache bool
	// Skip and Only name steps, at any depth.
	Skip, Only []string
}

// AddFlags adds -b/--branch, -s/--sha, --no-cache, --no-cf-cache, --skip
// and --only to cmd.
func (o *CodefreshRunOptions) AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVarP(&o.Branch, "branch", "b", "", "branch the run is for, over git's and the CI's: CF_BRANCH and the tags and labels that follow from it")
	env(fs, "branch", "HOIST_BRANCH")
	fs.StringVarP(&o.SHA, "sha", "s", "", "commit the run is for, over git's and the CI's: CF_REVISION, CF_SHORT_REVISION and the revision label")
	env(fs, "sha", "HOIST_SHA")
	addNoCacheFlag(cmd, &o.NoCache)
	fs.BoolVar(&o.NoCFCache, "no-cf-cache", false, "do not import or export the caching registry's cache (as no_cf_cache: true on every build step)")
	env(fs, "no-cf-cache", "HOIST_NO_CF_CACHE")
	fs.StringArrayVar(&o.Skip, "skip", nil, "leave out this step, at any depth (repeatable)")
	env(fs, "skip", "HOIST_SKIP")
	fs.StringArrayVar(&o.Only, "only", nil, "run only this step, at any depth (repeatable)")
	env(fs, "only", "HOIST_ONLY")
}

// addNoCacheFlag adds --no-cache, the same on hoist build and hoist run.
func addNoCacheFlag(cmd *cobra.Command, noCache *bool) {
	fs := cmd.Flags()
	fs.BoolVar(noCache, "no-cache", false, "do not use any build cache: no layer cache, no cache import (as no_cache: true on every build step)")
	env(fs, "no-cache", "HOIST_NO_CACHE")
}

// Validate checks that --sha is a commit hash and that --skip and --only
// name steps.
func (o *CodefreshRunOptions) Validate() error {
	if o.SHA != "" && (len(o.SHA) < 4 || len(o.SHA) > 64 || strings.Trim(strings.ToLower(o.SHA), "0123456789abcdef") != "") {
		return errs.Input("--sha %q: want a commit hash, 4 to 64 hexadecimal digits", o.SHA)
	}
	for _, l := range []struct {
		flag  string
		names []string
	}{{"--skip", o.Skip}, {"--only", o.Only}} {
		for _, n := range l.names {
			if strings.TrimSpace(n) == "" {
				return errs.Input("%s: want a step name", l.flag)
			}
		}
	}
	return nil
}

// apply sets the run options the flags give. A branch or commit given
// both as a flag and as the variable it sets (--var, --var-file) is a
// mistake: one would be ignored.
func (o *CodefreshRunOptions) apply(opts *runner.Options) error {
	for _, c := range []struct {
		flag, value, name, what string
	}{{"-b/--branch", o.Branch, "CF_BRANCH", "branch"}, {"-s/--sha", o.SHA, "CF_REVISION", "commit"}} {
		if _, set := opts.Vars[c.name]; set && c.value != "" {
			return errs.Input("%s and the variable %s (from --var or --var-file) both name the %s; give one", c.flag, c.name, c.what)
		}
	}
	opts.Branch, opts.Revision = o.Branch, o.SHA
	opts.NoCache, opts.NoCFCache = o.NoCache, o.NoCFCache
	opts.Skip, opts.Only = o.Skip, o.Only
	return nil
}

// codefreshNames are codefresh run's other names for hoist's flags.
var codefreshNames = map[string]string{
	"variable":      "var",
	"variable-file": "var-file",
	"nc":            "no-cache",
	"ncfc":          "no-cf-cache",
}

// acceptCodefreshNames makes cmd take codefresh run's names for the flags
// it has (--variable for --var, --nc for --no-cache, ...), so a codefresh
// run command line works unchanged.
func acceptCodefreshNames(cmd *cobra.Command) {
	cmd.SetGlobalNormalizationFunc(func(fs *pflag.FlagSet, name string) pflag.NormalizedName {
		if to, ok := codefreshNames[name]; ok && fs.Lookup(to) != nil {
			return pflag.NormalizedName(to)
		}
		return pflag.NormalizedName(name)
	})
}
