// Package stack starts the real servers that hoist's tests and demo use:
// distribution registries (Debian's docker-registry) on loopback ports, with
// htpasswd auth where asked, a buildkitd, and a busybox base image made from
// Debian's busybox-static.
package stack
