// Package build runs image builds on BuildKit: it connects to a given
// buildkitd or starts a local one for the run (daemonless mode), solves a
// Dockerfile build with the dockerfile frontend, shows BuildKit's progress
// display, and pushes through BuildKit's image exporter with credentials
// passed over the BuildKit session.
package build
