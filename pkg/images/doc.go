// Package images is the unified view of images across all configured
// registries: which image (by digest) is stored where, under which tags,
// which commit, branch and pipeline made it, and the metadata set on it
// after the build (artifacts that refer to it). It finds repositories
// through _catalog, the providers' listing APIs, the integrations'
// repositories: and the image names the caller knows of, and serves the
// view read-only over HTTP (Server).
//
// It may import registries, trace and errs; never runner, build,
// distribute, policy, pipeline or commands.
package images
