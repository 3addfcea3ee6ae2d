package images

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestImageTrace: the revision and branch come from the manifest's
// annotations, else the config's labels.
func TestImageTrace(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                     string
		labels, annotations      map[string]string
		wantRevision, wantBranch string
	}{
		{"labels", traceLabels("abc", "main"), nil, "abc", "main"},
		{"annotations-win", traceLabels("abc", "main"), traceLabels("def", "release"), "def", "release"},
		{"empty-annotation", traceLabels("abc", "main"), map[string]string{labelBranch: ""}, "abc", "main"},
		{"none", nil, nil, "", ""},
	} {
		im := &Image{Labels: tc.labels, Annotations: tc.annotations}
		if got := im.Revision(); got != tc.wantRevision {
			t.Errorf("%s: Revision() = %q, want %q", tc.name, got, tc.wantRevision)
		}
		if got := im.Branch(); got != tc.wantBranch {
			t.Errorf("%s: Branch() = %q, want %q", tc.name, got, tc.wantBranch)
		}
	}
}

// TestImageLocations: tags and registries over all locations, each once,
// in the order of the locations.
func TestImageLocations(t *testing.T) {
	t.Parallel()
	im := &Image{
		Digest: "sha256:3e6fb9855fc4a1b2c3d4e5f60718293a4b5c6d7e8f9012345678901234567890",
		Locations: []Location{
			{Registry: "one", Repository: "one.io/team/app", Tags: []string{"latest", "v1"}},
			{Registry: "one", Repository: "one.io/team/archive"},
			{Registry: "two", Repository: "two.io/app", Tags: []string{"v1", "prod"}},
		},
	}
	if diff := cmp.Diff([]string{"latest", "v1", "prod"}, im.Tags()); diff != "" {
		t.Errorf("Tags() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"one", "two"}, im.Registries()); diff != "" {
		t.Errorf("Registries() (-want +got):\n%s", diff)
	}
	if got, want := im.ShortDigest(), "3e6fb9855fc4"; got != want {
		t.Errorf("ShortDigest() = %q, want %q", got, want)
	}
}
