package runner

import (
	"net/url"
	"strings"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/trace"
)

// buildxOptions passes hoist build's buildx flags to the build.
func buildxOptions(f pipeline.BuildFlags) build.BuildxOptions {
	return build.BuildxOptions{
		Pull:          f.Pull,
		Network:       f.Network,
		AddHosts:      f.AddHosts,
		Allow:         f.Allow,
		Contexts:      f.Contexts,
		RemoteContext: f.RemoteContext,
	}
}

// remoteTrace fixes the trace metadata of a build whose context is a git
// URL: the image's source is that repository (without credentials), and
// the local checkout's revision says nothing about it.
func remoteTrace(req *build.Request) {
	m := req.TraceLabels
	delete(m, trace.Revision)
	src, _, _ := strings.Cut(req.RemoteContext, "#")
	if u, err := url.Parse(src); err == nil && u.Scheme != "" {
		u.User = nil
		src = u.String()
	} else if _, after, ok := strings.Cut(src, "@"); ok && !strings.Contains(src, "://") {
		src = after // git@host:repo.git: the user is no credential, but no part of the source either
	}
	m[trace.Source] = src
}
