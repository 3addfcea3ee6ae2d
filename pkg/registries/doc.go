// Package registries holds the account's registry integrations, as
// Codefresh's Pipeline Integrations do: providers and their domains,
// repository prefixes, the default, caching and auto-push settings,
// fallbacks, TLS and credentials. An Account holds the config, the one
// credential source (Credentials, which feeds BuildKit's session and
// go-containerregistry alike) and one Client per integration, with one
// transport each. Every request to a registry goes through such a
// transport: plain HTTP only for an insecure integration, a stall limit,
// the pause a registry asks for in Retry-After, failed upload sessions
// cancelled, and HTTP/1.1 where the registry also offers HTTP/2
// (protocols.go says why); Network is how long hoist waits and how often
// it retries. Error is the one registry error; UnknownError the one
// "unknown registry".
//
// Cloud integrations log in through their provider's library (Cloud):
// ECR through AWS's SDK, GCR and GAR through golang.org/x/oauth2/google,
// ACR through an Entra ID token exchanged at the registry; tokens are
// cached until shortly before they expire. An integration's Endpoint
// sends its domain's requests to another address, keeping the domain for
// the Host header and for credentials.
//
// It imports only errs and files of hoist's packages.
package registries
