// Package trace holds the keys of the OCI labels and annotations that say
// which commit, branch, pipeline and build made an image: written at build
// time, read by the image view. It is a leaf: it imports no other hoist
// package.
package trace
