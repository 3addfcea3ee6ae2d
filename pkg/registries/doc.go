// Package registries holds the account's registry integrations, as
// Codefresh's Pipeline Integrations do: providers and their domains,
// repository prefixes, the default, caching and auto-push settings,
// fallbacks, TLS and credentials.
package registries
