package commands

import (
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/console"
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/errs"
)

// buildOutputs are hoist build's --output, --cache-from and --cache-to, as
// buildx takes them.
type buildOutputs struct {
	outputs   []string
	cacheFrom []string
	cacheTo   []string

	// parsed are the outputs, once validate has read them.
	parsed []build.Output
}

// addFlags adds --output/-o, --cache-from and --cache-to to cmd.
func (o *buildOutputs) addFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringArrayVarP(&o.outputs, "output", "o", nil, "output as buildx: type=image|registry (pushed as the step decides; push=false keeps it), type=oci|docker|tar,dest=FILE (- for stdout), type=local,dest=DIR (repeatable)")
	envItems(fs, "output")
	env(fs, "output", "HOIST_BUILD_OUTPUT")
	fs.StringArrayVar(&o.cacheFrom, "cache-from", nil, "import build cache as buildx: type=registry,ref=REF, type=local,src=DIR, or a bare REF (repeatable)")
	envItems(fs, "cache-from")
	env(fs, "cache-from", "HOIST_CACHE_FROM")
	fs.StringArrayVar(&o.cacheTo, "cache-to", nil, "export build cache as buildx: type=registry,ref=REF, type=local,dest=DIR or type=inline, with mode=min (default) or max (repeatable)")
	envItems(fs, "cache-to")
	env(fs, "cache-to", "HOIST_CACHE_TO")
}

// validate parses the outputs and caches, paths from the current folder,
// and refuses what cannot work together.
func (o *buildOutputs) validate(noPush, quiet bool, stdout io.Writer) error {
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	o.parsed = nil
	toStdout := 0
	for _, s := range o.outputs {
		out, err := build.ParseOutput(s, cwd)
		if err != nil {
			return errs.Input("--output %w", err)
		}
		if out.Publishes() && noPush {
			return errs.Input("--output %s pushes the image, and --no-push says not to", s)
		}
		if out.Stdout() {
			toStdout++
		}
		o.parsed = append(o.parsed, out)
	}
	switch {
	case toStdout > 1:
		return errs.Input("--output: only one output can be written to stdout (dest=-)")
	case toStdout == 1 && quiet:
		return errs.Input("--output dest=- and --quiet both write to stdout")
	case toStdout == 1 && isTerminal(stdout):
		return errs.Input("--output dest=- writes a tar to stdout, which is a terminal: redirect it to a file or a pipe")
	}
	if _, err := build.ParseCacheFrom(o.cacheFrom, cwd); err != nil {
		return errs.Input("--cache-from %w", err)
	}
	if _, err := build.ParseCacheTo(o.cacheTo, cwd); err != nil {
		return errs.Input("--cache-to %w", err)
	}
	return nil
}

// noPush reports whether the outputs keep the image from being pushed:
// buildx pushes only with type=registry (or type=image,push=true), and
// hoist, which pushes by default, stops when every output given writes
// elsewhere or says push=false.
func (o *buildOutputs) noPush() bool {
	if len(o.parsed) == 0 {
		return false
	}
	for _, out := range o.parsed {
		if out.Publishes() {
			return false
		}
	}
	return true
}

// names are the references the image and registry outputs name, read as
// full -t references.
func (o *buildOutputs) names() []string {
	var out []string
	for _, p := range o.parsed {
		out = append(out, p.Names()...)
	}
	return out
}

// toStdout reports whether an output writes to stdout.
func (o *buildOutputs) toStdout() bool {
	for _, out := range o.parsed {
		if out.Stdout() {
			return true
		}
	}
	return false
}

// files are the outputs that write files or folders.
func (o *buildOutputs) files() []build.Output {
	var out []build.Output
	for _, p := range o.parsed {
		if p.Dest != "" {
			out = append(out, p)
		}
	}
	return out
}

// absCaches makes each local cache's src or dest absolute from the
// current folder, as buildx reads them, before the step's own folder
// could claim them.
func absCaches(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		fields := strings.Split(s, ",")
		for j, f := range fields {
			if k, v, ok := strings.Cut(f, "="); ok && (k == "src" || k == "dest") && v != "" && !filepath.IsAbs(v) {
				if abs, err := filepath.Abs(v); err == nil {
					fields[j] = k + "=" + abs
				}
			}
		}
		out[i] = strings.Join(fields, ",")
	}
	return out
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := console.ConsoleFromFile(f)
	return err == nil
}
