package commands

import (
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hoist-build/hoist/pkg/errs"
)

// envAnnotation is the flag annotation that lists the environment
// variables a flag reads.
const envAnnotation = "hoist/env"

// env makes the flag read the environment variables names when the command
// line does not set it (the first one set wins) and ends its usage with
// them. A list flag takes comma-separated values from the environment.
// Every flag names its variables itself, so one variable always means one
// thing, whichever command reads it.
func env(fs *pflag.FlagSet, flag string, names ...string) {
	fl := fs.Lookup(flag)
	note := "(env " + strings.Join(names, " or ")
	if _, ok := fl.Value.(pflag.SliceValue); ok {
		note += ", comma-separated"
	}
	fl.Usage += " " + note + ")"
	if err := fs.SetAnnotation(flag, envAnnotation, names); err != nil {
		panic(err) // a flag hoist itself just defined
	}
}

// envNames returns the environment variables fl reads.
func envNames(fl *pflag.Flag) []string {
	return fl.Annotations[envAnnotation]
}

// bindEnv fills every flag of cmd the command line did not set from its
// environment variables.
func bindEnv(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if err != nil || fl.Changed {
			return
		}
		for _, n := range envNames(fl) {
			v, ok := os.LookupEnv(n)
			if !ok {
				continue
			}
			if serr := setFromEnv(fl, v); serr != nil {
				err = errs.Input("$%s: %v", n, serr)
			}
			fl.Changed = true
			return
		}
	})
	return err
}

// setFromEnv sets fl to the environment value v: a list flag gets v's
// comma-separated items, replacing its default.
func setFromEnv(fl *pflag.Flag, v string) error {
	if sv, ok := fl.Value.(pflag.SliceValue); ok {
		return sv.Replace(splitList(v))
	}
	return fl.Value.Set(v)
}

// splitList splits a comma-separated list, trimming spaces and dropping
// empty items.
func splitList(v string) []string {
	items := []string{}
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			items = append(items, s)
		}
	}
	return items
}
