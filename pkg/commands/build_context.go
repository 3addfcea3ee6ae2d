package commands

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/files"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

// buildxFlags are hoist build's flags that buildx users know and that no
// codefresh.yml field has: --pull, --network, --add-host, --allow and
// --build-context.
type buildxFlags struct {
	pull     bool
	network  string
	addHosts []string
	allow    []string
	contexts []string
	// dockerfileContent is the Dockerfile read from stdin (-f -, or a
	// context - that is no tar).
	dockerfileContent string
}

// addFlags adds the flags to cmd.
func (x *buildxFlags) addFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.BoolVar(&x.pull, "pull", false, "always fetch base images from their registry, even when the builder holds a copy")
	env(fs, "pull", "HOIST_PULL")
	fs.StringVar(&x.network, "network", "", "network of RUN steps: default, none or host (host needs the network.host entitlement)")
	env(fs, "network", "HOIST_NETWORK")
	fs.StringArrayVar(&x.addHosts, "add-host", nil, "add HOST:IP to /etc/hosts of RUN steps (repeatable)")
	env(fs, "add-host", "HOIST_ADD_HOST")
	fs.StringArrayVar(&x.allow, "allow", nil, "grant an entitlement: network.host or security.insecure (repeatable; the builder must allow it)")
	env(fs, "allow", "HOIST_ALLOW")
	fs.StringArrayVar(&x.contexts, "build-context", nil, "named context NAME=FOLDER|docker-image://REF|oci-layout://FOLDER[:TAG]|GIT-URL for FROM NAME and COPY --from=NAME (repeatable)")
	env(fs, "build-context", "HOIST_BUILD_CONTEXT")
}

// validate checks each flag's form, as buildx does.
func (x *buildxFlags) validate() error {
	if err := build.CheckNetwork(x.network); err != nil {
		return errs.Input("--network: %v", err)
	}
	if _, err := build.AddHosts(x.addHosts); err != nil {
		return errs.Input("--add-host %v", err)
	}
	if err := build.Entitlements(x.allow); err != nil {
		return errs.Input("--allow %v", err)
	}
	if _, err := build.ParseContexts(x.contexts); err != nil {
		return errs.Input("--build-context %v", err)
	}
	return nil
}

// flags returns the step's BuildFlags: named context folders absolute
// from the current folder, and a git URL context as the remote context.
func (x *buildxFlags) flags(remote string) (pipeline.BuildFlags, error) {
	out := pipeline.BuildFlags{Pull: x.pull, Network: x.network, AddHosts: x.addHosts, Allow: x.allow, RemoteContext: remote}
	for _, c := range x.contexts {
		name, v, _ := strings.Cut(c, "=")
		switch {
		case strings.HasPrefix(v, "docker-image://"), build.IsGitURL(v):
		case strings.HasPrefix(v, "oci-layout://"):
			dir, err := filepath.Abs(strings.TrimPrefix(v, "oci-layout://"))
			if err != nil {
				return out, errs.Input("--build-context %s: %v", c, err)
			}
			v = "oci-layout://" + dir
		case strings.Contains(v, "://"):
			return out, errs.Input("--build-context %s: want a folder, docker-image://REF, oci-layout://FOLDER[:TAG] or a git URL", c)
		default:
			abs, err := filepath.Abs(v)
			if err != nil {
				return out, errs.Input("--build-context %s: %v", c, err)
			}
			if st, err := os.Stat(abs); err != nil || !st.IsDir() {
				return out, errs.Input("--build-context %s: %s is not a folder", name, abs)
			}
			v = abs
		}
		out.Contexts = append(out.Contexts, name+"="+v)
	}
	return out, nil
}

// stdin reads what hoist build takes from stdin, as docker build does:
// with CONTEXT "-", a tar (plain, gzip or bzip2) unpacked into a temp
// folder that is the context, or a Dockerfile with an empty context; with
// -f -, the Dockerfile. It returns the context folder to build and a
// cleanup that removes the temp folder.
func (f *buildOptions) stdin(in io.Reader, dir string) (string, func(), error) {
	none := func() {}
	if dir == "-" && f.dockerfile == "-" {
		return "", none, errs.Input("- as the context and -f - both read stdin: give the Dockerfile with -f FILE or inside the context tar")
	}
	if f.dockerfile == "-" {
		text, err := files.ReadAll(in, "stdin (-f -)", files.Dockerfile)
		if err != nil {
			return "", none, errs.Input("-f -: %v", err)
		}
		if len(text) == 0 {
			return "", none, errs.Input("-f -: stdin is empty; give the Dockerfile's text on stdin")
		}
		f.buildx.dockerfileContent, f.dockerfile = string(text), ""
		return dir, none, nil
	}
	if dir != "-" {
		return dir, none, nil
	}
	tmp, err := os.MkdirTemp("", "hoist-context-")
	if err != nil {
		return "", none, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	br := bufio.NewReaderSize(in, 1024)
	head, _ := br.Peek(512)
	if len(head) == 0 {
		cleanup()
		return "", none, errs.Input("-: stdin is empty; give a tar of the context, or a Dockerfile")
	}
	if !files.IsArchive(head) {
		if f.dockerfile != "" {
			cleanup()
			return "", none, errs.Input("-: stdin holds a Dockerfile, and -f names one too; give a tar of the context on stdin")
		}
		text, err := files.ReadAll(br, "stdin", files.Dockerfile)
		if err != nil {
			cleanup()
			return "", none, errs.Input("-: %v", err)
		}
		f.buildx.dockerfileContent = string(text)
		return tmp, cleanup, nil
	}
	if err := files.Untar(br, tmp, "stdin", files.Context); err != nil {
		cleanup()
		return "", none, errs.Input("-: the context tar on %v", err)
	}
	return tmp, cleanup, nil
}
