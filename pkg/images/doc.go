// Package images is the unified view of images across all configured
// registries: which image (by digest) is stored where, under which tags,
// and which commit, branch and pipeline made it.
package images
