package pipeline

// BuildFlags are the build options that only hoist build's flags set,
// as buildx names them; no codefresh.yml field sets them.
type BuildFlags struct {
	// Pull fetches every base image from its registry, even when the
	// builder holds a copy (--pull).
	Pull bool
	// Network is the network mode of RUN steps: "", "default", "none" or
	// "host" (--network).
	Network string
	// AddHosts are HOST=IP entries added to /etc/hosts of RUN steps
	// (--add-host).
	AddHosts []string
	// Allow are the entitlements granted to the build, e.g. network.host
	// or security.insecure (--allow).
	Allow []string
	// Contexts are named build contexts as NAME=VALUE (--build-context);
	// folders are absolute.
	Contexts []string
	// RemoteContext is a git URL the builder fetches as the build context
	// (the CONTEXT argument); the step's folder is then not sent.
	RemoteContext string
}
