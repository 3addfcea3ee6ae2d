// Package images is the unified view of images across all configured
// registries: which image (by digest) is stored where, under which tags,
// and which commit, branch and pipeline made it.
//
// It may import registries, trace and errs; never runner, build,
// distribute, policy, pipeline or commands.
package images
