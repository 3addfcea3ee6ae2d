package trace

// MetadataArtifactType is the artifactType of the OCI artifact that holds
// metadata set on an image after its build (hoist annotate, a step's
// on_success metadata). The artifact's subject is the image, so the
// image's digest never changes; its annotations hold the keys, and
// Created says when they were set: a later artifact's value wins.
const MetadataArtifactType = "application/vnd.hoist.metadata.v1+json"
