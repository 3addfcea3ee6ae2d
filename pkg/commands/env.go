package commands

import (
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hoist-build/hoist/pkg/errs"
)

// Flag annotations: the environment variables a flag reads, and the names
// it used to read before they were renamed.
const (
	envAnnotation     = "hoist/env"
	retiredAnnotation = "hoist/env-retired"
	// sepAnnotation holds the separator of a list flag's items in the
	// environment, when it is not a comma: items that hold commas
	// themselves (buildx's type=...,dest=... values).
	sepAnnotation = "hoist/env-separator"
	// pairsAnnotation marks a list of KEY=VALUE items: in the
	// environment, a comma not followed by KEY= stays in the value.
	pairsAnnotation = "hoist/env-pairs"
)

// env makes the flag read the environment variables names when the command
// line does not set it (the first one set wins) and ends its usage with
// them. A list flag takes comma-separated values from the environment.
// Every flag names its variables itself, so one variable always means one
// thing, whichever command reads it.
func env(fs *pflag.FlagSet, flag string, names ...string) {
	fl := fs.Lookup(flag)
	note := "(env " + strings.Join(names, " or ")
	if _, ok := fl.Value.(pflag.SliceValue); ok {
		note += ", " + separatorName[listSeparator(fl)] + "-separated"
		if isPairs(fl) {
			note += "; a comma not followed by KEY= stays in the value"
		}
	}
	fl.Usage += " " + note + ")"
	if err := fs.SetAnnotation(flag, envAnnotation, names); err != nil {
		panic(err) // a flag hoist itself just defined
	}
}

// retired records that the flag used to read the environment variable
// name, which now means nothing: hoist warns when it is set, so a renamed
// variable is not ignored in silence.
func retired(fs *pflag.FlagSet, flag, name string) {
	if err := fs.SetAnnotation(flag, retiredAnnotation, []string{name}); err != nil {
		panic(err)
	}
}

// envNames returns the environment variables fl reads.
func envNames(fl *pflag.Flag) []string {
	return fl.Annotations[envAnnotation]
}

// bindEnv fills every flag of cmd the command line did not set from its
// environment variables, and warns about retired ones.
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
		for _, n := range fl.Annotations[retiredAnnotation] {
			if _, ok := os.LookupEnv(n); ok {
				fmt.Fprintf(cmd.ErrOrStderr(), "hoist: warning: $%s is no longer read: %s reads $%s\n", n, flagName(fl), strings.Join(envNames(fl), " or $"))
			}
		}
	})
	return err
}

// setFromEnv sets fl to the environment value v: a list flag gets v's
// items, replacing its default.
func setFromEnv(fl *pflag.Flag, v string) error {
	if sv, ok := fl.Value.(pflag.SliceValue); ok {
		if isPairs(fl) {
			return sv.Replace(splitPairs(v))
		}
		return sv.Replace(splitList(v, listSeparator(fl)))
	}
	return fl.Value.Set(v)
}

// splitPairs splits a list of KEY=VALUE items at the commas followed by
// KEY=: a comma followed by text without = is the value's own, kept as
// written (A=x, y,B=1 is A=x, y and B=1). Items are trimmed, empty ones
// dropped.
func splitPairs(v string) []string {
	items := []string{}
	for _, it := range strings.Split(v, ",") {
		switch n := len(items); {
		case strings.TrimSpace(it) == "":
		case n > 0 && !strings.Contains(it, "="):
			items[n-1] += "," + strings.TrimRightFunc(it, unicode.IsSpace)
		default:
			items = append(items, strings.TrimSpace(it))
		}
	}
	return items
}

// splitList splits a list at sep, trimming spaces and dropping empty
// items.
func splitList(v, sep string) []string {
	items := []string{}
	for _, s := range strings.Split(v, sep) {
		if s = strings.TrimSpace(s); s != "" {
			items = append(items, s)
		}
	}
	return items
}

// flagName is the flag as the user types it: -f/--file or --tag.
func flagName(fl *pflag.Flag) string {
	if fl.Shorthand != "" {
		return "-" + fl.Shorthand + "/--" + fl.Name
	}
	return "--" + fl.Name
}

// separatorName names the separators of list flags in the environment.
var separatorName = map[string]string{",": "comma", ";": "semicolon"}

// envItems makes list flag's environment items semicolon-separated: each
// item holds commas itself (type=oci,dest=app.tar). Call it before env.
func envItems(fs *pflag.FlagSet, flag string) {
	if err := fs.SetAnnotation(flag, sepAnnotation, []string{";"}); err != nil {
		panic(err) // a flag hoist itself just defined
	}
}

// envPairs marks a list flag's items as KEY=VALUE, so that a value's
// commas survive the environment (HOIST_VAR=PLATFORMS=a,b). Call it before
// env.
func envPairs(fs *pflag.FlagSet, flag string) {
	if err := fs.SetAnnotation(flag, pairsAnnotation, []string{"true"}); err != nil {
		panic(err) // a flag hoist itself just defined
	}
}

// isPairs tells a list flag of KEY=VALUE items.
func isPairs(fl *pflag.Flag) bool {
	return len(fl.Annotations[pairsAnnotation]) > 0
}

// listSeparator is what separates fl's items in the environment.
func listSeparator(fl *pflag.Flag) string {
	if s := fl.Annotations[sepAnnotation]; len(s) == 1 {
		return s[0]
	}
	return ","
}
