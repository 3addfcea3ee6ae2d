// Package stack starts the real servers that hoist's tests and demo use:
// registries on loopback ports (Debian's docker-registry, distribution v3,
// and go-containerregistry's registry as its own process: RegistryKinds),
// with htpasswd or token auth where asked; a token server following
// distribution's token spec; stand-ins for the clouds' token endpoints
// (ECR, STS, Google OAuth, Entra ID and ACR's exchange) that issue
// credentials a real local registry accepts; a buildkitd; a busybox
// base image made from Debian's busybox-static; a stand-in SBOM generator
// image on it that follows BuildKit's SBOM generator protocol; and
// proxies: HTTP ones that count, refuse or break requests, and links
// (Link) that give a TCP connection a rate limit and a round-trip time.
package stack
