// Package distribute is hoist's one way to write images to registries.
// Builds, push steps and the push, tag and promote commands all publish
// through a Publisher: blobs first (skipped when present, mounted from
// another repository of the same registry, each source blob read once and
// sent to every target as it is read), then the manifest by digest, and
// tags last, only once every target holds the image; then every tag is
// checked at every target. What each
// tag held is read before any tag moves; when a tag cannot be moved, the
// run is interrupted or another writer moved a tag, the tags this run
// moved are put back (tags.go, undo.go). Wrappers record each publish
// (the --metadata-file record) and show it in the progress display.
//
// It may import registries, progress and errs; never runner, build,
// images, policy, pipeline or commands.
package distribute
