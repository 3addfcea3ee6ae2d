package trace

// The keys hoist writes on every image it builds, as image config labels
// and as manifest (and index) annotations.
const (
	// Revision is the commit the image was built from.
	Revision = "org.opencontainers.image.revision"
	// Source is the repository's URL, without credentials.
	Source = "org.opencontainers.image.source"
	// Created is when hoist built the image (RFC 3339).
	Created = "org.opencontainers.image.created"
	// Version is the image's first tag.
	Version = "org.opencontainers.image.version"
	// RefName is the image's first tag, as OCI layouts name images.
	RefName = "org.opencontainers.image.ref.name"
	// Branch is the branch the image was built from.
	Branch = "io.hoist.branch"
	// Pipeline names the pipeline that built the image.
	Pipeline = "io.hoist.pipeline"
	// BuildID is the CI build that ran the pipeline; its presence marks an
	// image hoist built.
	BuildID = "io.hoist.build-id"
)

// Metadata returns the trace labels of a build from what is known of it;
// empty values are left out.
func Metadata(revision, source, created, tag, branch, pipeline, buildID string) map[string]string {
	m := map[string]string{
		Revision: revision,
		Source:   source,
		Created:  created,
		Version:  tag,
		RefName:  tag,
		Branch:   branch,
		Pipeline: pipeline,
		BuildID:  buildID,
	}
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	return m
}
