package build

import (
	"io"
	"time"

	"github.com/docker/cli/cli/config/types"
	"github.com/hoist-build/hoist/pkg/files"
	"github.com/hoist-build/hoist/pkg/progress"
	"github.com/moby/buildkit/client"
)

// Request is one Dockerfile build.
type Request struct {
	// ContextDir is the build context folder.
	ContextDir string
	// Dockerfile is the Dockerfile's path; ignored when DockerfileContent is set.
	Dockerfile string
	// DockerfileContent is an inline Dockerfile.
	DockerfileContent string
	// BuildArgs are KEY=VALUE pairs.
	BuildArgs []string
	Target    string
	// Platforms are os/arch[/variant] values; empty builds for the builder's own.
	Platforms []string
	NoCache   bool
	// Labels are set on the image config, over the Dockerfile's own.
	Labels map[string]string
	// TraceLabels are set on the image config where the Dockerfile does not
	// set the same key.
	TraceLabels map[string]string
	// Annotations are set on the manifest, and on the index of a
	// multi-platform image.
	Annotations map[string]string
	// Names are the full references the image gets, e.g. host/repo:tag;
	// the first names it in the local store.
	Names []string
	// Replace pulls other images in place of some the Dockerfile names
	// (FROM, COPY --from): image as written → image to pull instead.
	Replace map[string]string
	// CacheImports are registry references to import BuildKit's cache from.
	CacheImports []string
	// CacheExport is the registry reference to export the cache to
	// (mode=max, OCI image-manifest form); a failed export does not fail
	// the build. None when empty.
	CacheExport string
	// CacheInsecure allows plain HTTP for the cache registry.
	CacheInsecure bool
	// CacheFrom and CacheTo are more cache imports and exports, as
	// ParseCacheFrom and ParseCacheTo return them (--cache-from,
	// --cache-to, a pipeline's cache_from and cache_to).
	CacheFrom, CacheTo []client.CacheOptionsEntry
	// Outputs are where the image is written besides hoist's local
	// store (--output); see Output. Files appear only once the build
	// succeeds.
	Outputs []Output
	// Stdout receives an output with dest=-.
	Stdout io.Writer
	// CacheCheck, when set, checks the caching registry while the build
	// runs (see CacheCheck).
	CacheCheck *CacheCheck
	// LocalStore is the OCI layout folder the image is written to (it
	// must be set): hoist publishes it from there, and a later push step
	// can push a build that was not pushed. BuildKit itself pushes nothing.
	LocalStore string
	// Auth returns registry credentials for a host and the token scopes the
	// registry asks for; nil means anonymous.
	Auth func(host string, scopes []string) (types.AuthConfig, error)
	// ExportAnnotations are OCI exporter annotation attributes, as
	// ParseAnnotations returns them (hoist build --annotation).
	ExportAnnotations map[string]string
	// Secrets are build secrets as buildctl's --secret takes them
	// ("id=x,src=path" or "id=x,env=VAR"), served by BuildKit's secrets
	// provider over the session, for RUN --mount=type=secret: they never
	// reach the image or the logs.
	Secrets []string
	// Mask are values that never show: BuildKit's progress and errors
	// show *** in their place (encrypted pipeline variables).
	Mask []string
	// SSH are agents or keys to forward as buildctl's --ssh takes them
	// ("default" or "id=path"), for RUN --mount=type=ssh.
	SSH []string
	// Attests are the Dockerfile frontend's attestation attributes
	// (attest:provenance, attest:sbom), as ParseAttests returns them;
	// none when empty.
	Attests map[string]string
	// Progress is the step's part of the run's one progress display;
	// nil shows nothing.
	Progress *progress.Step
	// BuildxOptions are buildx's --pull, --network, --add-host, --allow,
	// --build-context and a git URL context.
	BuildxOptions
}

// Result is what a build produced.
type Result struct {
	// Digest is the image manifest's (or index's) digest.
	Digest string
	// ConfigDigest is the image config's digest (single-platform builds).
	ConfigDigest string
	Duration     time.Duration
	// Builder names the builder (in a pool) that built it; for a build
	// split among native nodes, each with its platform.
	Builder string
}

// labels merges the trace labels the Dockerfile leaves unset with the
// step's own labels.
func (req Request) labels() (map[string]string, error) {
	out := map[string]string{}
	if len(req.TraceLabels) > 0 {
		df, err := req.DockerfileText()
		if err != nil {
			return nil, err
		}
		own, err := DockerfileLabels(df, req.Target)
		if err != nil {
			return nil, err
		}
		for k, v := range req.TraceLabels {
			if !own[k] {
				out[k] = v
			}
		}
	}
	for k, v := range req.Labels {
		out[k] = v
	}
	return out, nil
}

// DockerfileText returns the request's Dockerfile text: the inline text,
// or the file's, which must be a regular file under files.Dockerfile's cap.
func (req Request) DockerfileText() ([]byte, error) {
	if req.DockerfileContent != "" {
		return []byte(req.DockerfileContent), nil
	}
	return files.Read(req.Dockerfile, files.Dockerfile)
}
