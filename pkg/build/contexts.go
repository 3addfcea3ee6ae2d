package build

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/ociindex"
	"github.com/moby/buildkit/frontend/dockerfile/dfgitutil"
	"github.com/moby/buildkit/identity"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/entitlements"
	"github.com/opencontainers/go-digest"
	"github.com/tonistiigi/fsutil"
)

// BuildxOptions are the build options buildx users know from its flags
// (--pull, --network, --add-host, --allow, --build-context and a git URL
// as the context), passed to the dockerfile frontend as buildx passes them.
type BuildxOptions struct {
	// Pull fetches every base image from its registry, even when the
	// builder holds a copy.
	Pull bool
	// Network is the network mode of RUN steps: "", "default", "none" or
	// "host" (which needs the network.host entitlement).
	Network string
	// AddHosts are HOST=IP (or HOST:IP) entries for /etc/hosts of RUN steps.
	AddHosts []string
	// Allow are entitlements granted to the build (network.host,
	// security.insecure); the builder must allow them too.
	Allow []string
	// Contexts are named contexts NAME=VALUE: an absolute folder,
	// docker-image://REF, oci-layout://FOLDER[:TAG][@DIGEST] or a git URL.
	Contexts []string
	// RemoteContext is a git URL the builder fetches as the build
	// context; ContextDir is then unused.
	RemoteContext string
	// RemoteDockerfile is the Dockerfile's path inside RemoteContext
	// (default Dockerfile), used when the request has no local Dockerfile.
	RemoteDockerfile string
}

// CheckNetwork checks a network mode as buildx does.
func CheckNetwork(mode string) error {
	switch mode {
	case "", "default", "none", "host":
		return nil
	}
	return fmt.Errorf("network mode %q: want default, none or host", mode)
}

// AddHosts returns the dockerfile frontend's add-hosts value for HOST:IP
// or HOST=IP entries, as buildx reads them; an IPv6 address may be in
// brackets.
func AddHosts(in []string) (string, error) {
	out := make([]string, 0, len(in))
	for _, h := range in {
		host, ip, ok := strings.Cut(h, "=")
		if !ok {
			host, ip, ok = strings.Cut(h, ":")
		}
		if len(ip) > 2 && ip[0] == '[' && ip[len(ip)-1] == ']' {
			ip = ip[1 : len(ip)-1]
		}
		if !ok || host == "" || strings.ContainsAny(host, ", \t") || net.ParseIP(ip) == nil {
			return "", fmt.Errorf("%q: want HOST:IP, e.g. db.internal:10.0.0.5", h)
		}
		out = append(out, host+"="+ip)
	}
	return strings.Join(out, ","), nil
}

// Entitlements checks entitlement names as BuildKit parses them.
func Entitlements(in []string) error {
	for _, e := range in {
		if _, _, err := entitlements.Parse(e); err != nil {
			return fmt.Errorf("%q: want network.host or security.insecure", e)
		}
	}
	return nil
}

// IsGitURL reports whether s is a git URL as the dockerfile frontend
// reads one: https://host/repo.git#ref:subdir, git@host:repo.git,
// ssh://..., git://...
func IsGitURL(s string) bool {
	_, isGit, err := dfgitutil.ParseGitRef(s)
	return isGit && err == nil
}

// NamedContext is one --build-context.
type NamedContext struct {
	// Name is the name the Dockerfile uses (FROM name, COPY --from=name),
	// normalized as an image name is.
	Name string
	// Value is a folder, docker-image://REF, oci-layout://... or a git URL.
	Value string
}

// ParseContexts reads NAME=VALUE entries as buildx's --build-context.
func ParseContexts(in []string) ([]NamedContext, error) {
	out := make([]NamedContext, 0, len(in))
	for _, kv := range in {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%q: want NAME=VALUE, VALUE a folder, docker-image://REF, oci-layout://FOLDER[:TAG] or a git URL", kv)
		}
		name, err := contextKey(k)
		if err != nil {
			return nil, fmt.Errorf("%q: the name must be a valid image name", kv)
		}
		if ref, ok := strings.CutPrefix(v, "docker-image://"); ok {
			if _, err := contextKey(ref); err != nil {
				return nil, fmt.Errorf("%q: %w", kv, err)
			}
		}
		out = append(out, NamedContext{Name: name, Value: v})
	}
	return out, nil
}

// apply sets o's options on opt, as buildx does.
func (o BuildxOptions) apply(opt *client.SolveOpt) error {
	attrs := opt.FrontendAttrs
	if o.Pull {
		attrs["image-resolve-mode"] = pb.AttrImageResolveModeForcePull
	}
	if err := CheckNetwork(o.Network); err != nil {
		return err
	}
	opt.AllowedEntitlements = append(opt.AllowedEntitlements, o.Allow...)
	if o.Network == "none" || o.Network == "host" {
		attrs["force-network-mode"] = o.Network
	}
	if o.Network == "host" {
		opt.AllowedEntitlements = append(opt.AllowedEntitlements, entitlements.EntitlementNetworkHost.String())
	}
	if len(o.AddHosts) > 0 {
		hosts, err := AddHosts(o.AddHosts)
		if err != nil {
			return fmt.Errorf("--add-host %w", err)
		}
		attrs["add-hosts"] = hosts
	}
	if o.RemoteContext != "" {
		attrs["context"] = o.RemoteContext
		if _, local := opt.LocalMounts["dockerfile"]; local {
			attrs["dockerfilekey"] = "dockerfile"
		} else {
			attrs["filename"] = o.RemoteDockerfile
			if attrs["filename"] == "" {
				attrs["filename"] = "Dockerfile"
			}
		}
	}
	contexts, err := ParseContexts(o.Contexts)
	if err != nil {
		return fmt.Errorf("--build-context %w", err)
	}
	for _, c := range contexts {
		attrs["frontend.caps"] = "moby.buildkit.frontend.contexts+forward"
		if err := namedContext(opt, c); err != nil {
			return fmt.Errorf("--build-context %s: %w", c.Name, err)
		}
	}
	return nil
}

// namedContext adds one named context to opt: a folder as a local mount,
// an OCI layout as an OCI store, the rest as the frontend's attribute.
func namedContext(opt *client.SolveOpt, c NamedContext) error {
	key := "context:" + c.Name
	switch {
	case strings.HasPrefix(c.Value, "docker-image://"), IsGitURL(c.Value):
		opt.FrontendAttrs[key] = c.Value
	case strings.HasPrefix(c.Value, "oci-layout://"):
		ref, err := ociLayout(opt, strings.TrimPrefix(c.Value, "oci-layout://"))
		if err != nil {
			return err
		}
		opt.FrontendAttrs[key] = ref
	default:
		if st, err := os.Stat(c.Value); err != nil || !st.IsDir() {
			return fmt.Errorf("%s is not a folder", c.Value)
		}
		fs, err := fsutil.NewFS(c.Value)
		if err != nil {
			return err
		}
		local := c.Name
		if local == "context" || local == "dockerfile" {
			local = "_" + local // as buildx: the main context's names stay free
		}
		opt.LocalMounts[local] = fs
		opt.FrontendAttrs[key] = "local:" + local
	}
	return nil
}

// ociLayout opens the OCI layout FOLDER[:TAG][@DIGEST] as a store of opt
// and returns the frontend's oci-layout:// reference to it; without a
// digest, the tag's (default latest) or the layout's only image.
func ociLayout(opt *client.SolveOpt, spec string) (string, error) {
	dir, dig, hasDigest := strings.Cut(spec, "@")
	// A tag follows the last ':' after the last '/'.
	tag := "latest"
	if i := strings.LastIndex(dir, ":"); i > strings.LastIndex(dir, "/") {
		dir, tag = dir[:i], dir[i+1:]
	}
	if !filepath.IsAbs(dir) {
		return "", fmt.Errorf("oci-layout folder %s is not absolute", dir)
	}
	if !hasDigest {
		idx := ociindex.NewStoreIndex(dir)
		desc, err := idx.Get(tag)
		if err == nil && desc == nil {
			desc, err = idx.GetSingle()
		}
		if err != nil || desc == nil {
			return "", fmt.Errorf("oci-layout %s: no image tagged %s", dir, tag)
		}
		dig = desc.Digest.String()
	}
	if _, err := digest.Parse(dig); err != nil {
		return "", fmt.Errorf("oci-layout %s: bad digest %q", dir, dig)
	}
	st, err := contentlocal.NewStore(dir)
	if err != nil {
		return "", fmt.Errorf("oci-layout %s: %w", dir, err)
	}
	if opt.OCIStores == nil {
		opt.OCIStores = map[string]content.Store{}
	}
	name := identity.NewID()
	opt.OCIStores[name] = st
	return "oci-layout://" + name + ":" + tag + "@" + dig, nil
}

// localEntitlements are the buildkitd flags that let builds on hoist's
// own local daemon ask for network.host and security.insecure: that
// daemon serves this run only, and a build still gets neither unless it
// asks (--allow, --network host).
var localEntitlements = []string{"--allow-insecure-entitlement", "network.host", "--allow-insecure-entitlement", "security.insecure"}

// entitlementError tells how to allow an entitlement that the builder
// refused: BuildKit's message names it but not the daemon's flag.
func entitlementError(err error) error {
	if err != nil && strings.Contains(err.Error(), "is not allowed by build daemon configuration") {
		return fmt.Errorf("%w (a builder given by --builder must be started with --allow-insecure-entitlement for it; hoist's own local builder allows network.host and security.insecure)", err)
	}
	return err
}

// dockerfileRemote reports whether the builder reads the Dockerfile from
// the remote context: the request has none of its own.
func (req Request) dockerfileRemote() bool {
	return req.RemoteContext != "" && req.Dockerfile == "" && req.DockerfileContent == ""
}
