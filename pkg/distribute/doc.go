// Package distribute copies one image, by digest, to many registries at once:
// blobs first (skipped when present, mounted from another repository of the
// same registry), then the manifest by digest, and tags last, only once
// every target holds the image; then it checks every tag's digest.
package distribute
