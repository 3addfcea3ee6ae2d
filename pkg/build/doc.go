// Package build runs image builds on BuildKit: it connects to a given
// buildkitd or starts a local one for the run (daemonless mode), readies a
// build's pulls before it starts (fallback registries for base images),
// checks its caching registry while it runs, solves a Dockerfile build
// with the dockerfile frontend (with provenance and SBOM attestations when
// asked; on a builder that has built with the registry cache before,
// first on the builder's own cache alone), exports the cache only when it
// has something new, and writes the image to hoist's
// local OCI store, from where pkg/distribute publishes it, and which it
// prunes to the newest images; --output files (oci, docker, tar, local)
// and buildx-style cache imports and exports (ParseOutput, ParseCacheFrom,
// ParseCacheTo) ride on the same solve. BuildKit itself
// pushes nothing; credentials for its pulls and cache pass over the
// BuildKit session.
//
// It may import registries, progress, errs and files; never runner, distribute,
// images, policy or commands.
package build
