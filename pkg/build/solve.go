package build

import (
	buildctl "github.com/moby/buildkit/cmd/buildctl/build"
	"github.com/moby/buildkit/session/sshforward/sshprovider"

	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/distribution/reference"
	"github.com/docker/cli/cli/config/types"
	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth/authprovider"
	"github.com/tonistiigi/fsutil"
)

// Build solves req with the dockerfile frontend and exports the image.
func (b *Builder) Build(ctx context.Context, req Request) (*Result, error) {
	if req.LocalStore == "" {
		return nil, errors.New("build: no local store to write the image to")
	}
	st, err := openStore(req.LocalStore)
	if err != nil {
		return nil, err
	}
	release, err := HoldStore(ctx, req.LocalStore)
	if err != nil {
		return nil, err
	}
	defer release()
	opt, cleanup, err := solveOpt(req, st)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	files, err := newFileOutputs(req.Outputs, req.Stdout, imageAttrs(opt.Exports[0]))
	if err != nil {
		return nil, err
	}
	defer files.abort()
	opt.Exports = append(opt.Exports, files.entries...)
	start := time.Now()
	resp, err := b.solveBuild(ctx, &req, *opt)
	if err != nil {
		return nil, entitlementError(err)
	}
	name := ""
	if len(req.Names) > 0 {
		name = req.Names[0]
	}
	if err := st.record(ctx, resp.ExporterResponse, name); err != nil {
		return nil, err
	}
	if err := files.commit(); err != nil {
		return nil, err
	}
	return &Result{
		Digest:       resp.ExporterResponse[exptypes.ExporterImageDigestKey],
		ConfigDigest: resp.ExporterResponse[exptypes.ExporterImageConfigDigestKey],
		Duration:     time.Since(start),
	}, nil
}

// solveOpt turns a Request into BuildKit's SolveOpt. cleanup removes the
// temp folder of an inline Dockerfile.
func solveOpt(req Request, st content.Store) (*client.SolveOpt, func(), error) {
	cleanup := func() {}
	mounts := map[string]fsutil.FS{}
	if req.RemoteContext == "" {
		ctxFS, err := fsutil.NewFS(req.ContextDir)
		if err != nil {
			return nil, cleanup, fmt.Errorf("build context %s: %w", req.ContextDir, err)
		}
		mounts["context"] = ctxFS
	}
	dfDir, dfName := filepath.Dir(req.Dockerfile), filepath.Base(req.Dockerfile)
	if req.DockerfileContent != "" {
		tmp, err := os.MkdirTemp("", "hoist-dockerfile-")
		if err != nil {
			return nil, cleanup, err
		}
		cleanup = func() { os.RemoveAll(tmp) }
		dfDir, dfName = tmp, "Dockerfile"
		if err := os.WriteFile(filepath.Join(tmp, dfName), []byte(req.DockerfileContent), 0o600); err != nil {
			cleanup()
			return nil, func() {}, err
		}
	}
	if req.Dockerfile != "" || req.DockerfileContent != "" {
		dfFS, err := fsutil.NewFS(dfDir)
		if err != nil {
			cleanup()
			return nil, func() {}, fmt.Errorf("dockerfile folder %s: %w", dfDir, err)
		}
		mounts["dockerfile"] = dfFS
	}
	attrs := map[string]string{"filename": dfName}
	if req.Target != "" {
		attrs["target"] = req.Target
	}
	if req.NoCache {
		attrs["no-cache"] = ""
	}
	if len(req.Platforms) > 0 {
		attrs["platform"] = strings.Join(req.Platforms, ",")
	}
	for _, kv := range req.BuildArgs {
		k, v, _ := strings.Cut(kv, "=")
		attrs["build-arg:"+k] = v
	}
	for k, v := range req.Attests {
		attrs[k] = v
	}
	for from, to := range req.Replace {
		key, err := contextKey(from)
		if err != nil {
			cleanup()
			return nil, func() {}, err
		}
		attrs["context:"+key] = "docker-image://" + to
	}
	labels, err := req.labels()
	if err != nil {
		cleanup()
		return nil, func() {}, err
	}
	for k, v := range labels {
		attrs["label:"+k] = v
	}
	auth := req.Auth
	if auth == nil {
		auth = func(string, []string) (types.AuthConfig, error) { return types.AuthConfig{}, nil }
	}
	imports, cacheExports := cacheOptions(req)
	attachables, err := sessionProviders(req)
	if err != nil {
		cleanup()
		return nil, func() {}, errs.Input("%w", err)
	}
	opt := &client.SolveOpt{
		CacheImports:  imports,
		CacheExports:  cacheExports,
		Frontend:      "dockerfile.v0",
		FrontendAttrs: attrs,
		LocalMounts:   mounts,
		Exports:       exports(req, st),
		Session: append(attachables, authprovider.NewDockerAuthProvider(authprovider.DockerAuthProviderConfig{
			AuthConfigProvider: func(_ context.Context, host string, scopes []string, _ authprovider.ExpireCachedAuthCheck) (types.AuthConfig, error) {
				return auth(host, scopes)
			},
		})),
	}
	if err := req.BuildxOptions.apply(opt); err != nil {
		cleanup()
		return nil, func() {}, errs.Input("%w", err)
	}
	return opt, cleanup, nil
}

// sessionProviders returns BuildKit's secrets and SSH agent providers for
// the request's secrets and forwarded agents, parsed as buildctl parses
// its --secret and --ssh.
func sessionProviders(req Request) ([]session.Attachable, error) {
	var out []session.Attachable
	if len(req.Secrets) > 0 {
		p, err := buildctl.ParseSecret(req.Secrets)
		if err != nil {
			return nil, fmt.Errorf("secrets: %w", err)
		}
		out = append(out, p)
	}
	if len(req.SSH) > 0 {
		configs, err := buildctl.ParseSSH(req.SSH)
		if err != nil {
			return nil, fmt.Errorf("ssh: %w", err)
		}
		p, err := sshprovider.NewSSHAgentProvider(configs)
		if err != nil {
			return nil, fmt.Errorf("ssh: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// cacheOptions returns the build's registry cache imports and export
// (mode=max, OCI image-manifest form; a failed export does not fail the
// build).
func cacheOptions(req Request) (imports, exports []client.CacheOptionsEntry) {
	for _, ref := range req.CacheImports {
		attrs := map[string]string{"ref": ref}
		if req.CacheInsecure {
			attrs["registry.insecure"] = "true"
		}
		imports = append(imports, client.CacheOptionsEntry{Type: "registry", Attrs: attrs})
	}
	if req.CacheExport != "" {
		attrs := map[string]string{"ref": req.CacheExport, "mode": "max", "image-manifest": "true", "oci-mediatypes": "true", "ignore-error": "true"}
		if req.CacheInsecure {
			attrs["registry.insecure"] = "true"
		}
		exports = append(exports, client.CacheOptionsEntry{Type: "registry", Attrs: attrs})
	}
	return append(imports, req.CacheFrom...), append(exports, req.CacheTo...)
}

// exports lists the one exporter: an OCI layout in the local store st, with
// OCI media types (annotations need them) and the annotations, on the
// index too for a multi-platform image.
func exports(req Request, st content.Store) []client.ExportEntry {
	attrs := map[string]string{"tar": "false", "oci-mediatypes": "true"}
	if len(req.Names) > 0 {
		attrs["name"] = req.Names[0]
	}
	for k, v := range req.Annotations {
		attrs["annotation."+k] = v
		if len(req.Platforms) > 1 {
			attrs["annotation-index."+k] = v
		}
	}
	for k, v := range req.ExportAnnotations {
		attrs[k] = v
	}
	return []client.ExportEntry{{Type: client.ExporterOCI, OutputStore: st, Attrs: attrs}}
}

// contextKey is the name the dockerfile frontend looks a named context up
// by for an image reference: its familiar form without ":latest".
func contextKey(ref string) (string, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", fmt.Errorf("image %s: %w", ref, err)
	}
	return strings.TrimSuffix(reference.FamiliarString(named), ":latest"), nil
}
