package images

import (
	"context"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/pkg/trace"
)

// fallbackTag matches the tags registries without the referrers API hold
// referrers under (sha256-<hex>), and cosign's (.sig, .att, .sbom): they
// are no images of their own.
var fallbackTag = regexp.MustCompile(`^sha256-[0-9a-f]{64}(\..*)?$`)

// metadataOf reads the metadata artifacts that refer to digest in repo
// and merges their keys, the most recently set value winning. A registry
// that cannot list referrers has none.
func metadataOf(ctx context.Context, p *remote.Puller, repo name.Repository, digest string) (map[string]string, time.Time) {
	idx, err := remote.Referrers(repo.Digest(digest), remote.WithContext(ctx), remote.Reuse(p))
	if err != nil {
		return nil, time.Time{}
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, time.Time{}
	}
	var sets []map[string]string
	for _, d := range im.Manifests {
		if d.ArtifactType == trace.MetadataArtifactType {
			sets = append(sets, d.Annotations)
		}
	}
	return mergeMetadata(sets)
}

// mergeMetadata merges sets of keys in the order they were set (their
// created annotation), and says when the last was set.
func mergeMetadata(sets []map[string]string) (map[string]string, time.Time) {
	if len(sets) == 0 {
		return nil, time.Time{}
	}
	sort.SliceStable(sets, func(i, j int) bool { return sets[i][trace.Created] < sets[j][trace.Created] })
	out := map[string]string{}
	for _, s := range sets {
		for k, v := range s {
			if k == trace.Created {
				continue
			}
			out[k] = v
		}
	}
	last, _ := time.Parse(time.RFC3339Nano, sets[len(sets)-1][trace.Created])
	return out, last
}

// Matches reports whether the image has every key=value of filters, in
// its metadata, else its annotations or labels.
func (im *Image) Matches(filters map[string]string) bool {
	for k, v := range filters {
		got, ok := im.Metadata[k]
		if !ok {
			got = im.Meta(k)
		}
		if got != v {
			return false
		}
	}
	return true
}

// ParseFilters reads KEY=VALUE filters.
func ParseFilters(list []string) (map[string]string, bool) {
	out := map[string]string{}
	for _, f := range list {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return nil, false
		}
		out[k] = v
	}
	return out, true
}

// apiProbe watches a registry's answers to referrers API requests: once
// the registry has answered one without an OCI index, it has no referrers
// API, and a digest's metadata can only be under its fallback tag, which
// the tag list shows. That spares two requests per image there.
type apiProbe struct {
	next    http.RoundTripper
	without atomic.Bool
	with    atomic.Bool
}

func (p *apiProbe) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.next.RoundTrip(req)
	if err == nil && req.Method == http.MethodGet && strings.Contains(req.URL.Path, "/referrers/") {
		if resp.StatusCode == http.StatusOK && resp.Header.Get("Content-Type") == string(types.OCIImageIndex) {
			p.with.Store(true)
		} else if resp.StatusCode != http.StatusUnauthorized {
			p.without.Store(true)
		}
	}
	return resp, err
}

// mayHave reports whether the registry may serve referrers other than
// through the fallback tag.
func (p *apiProbe) mayHave() bool { return p == nil || p.with.Load() || !p.without.Load() }

// fallbackDigests returns the digests whose fallback tag is among tags.
func fallbackDigests(tags []string) map[string]bool {
	out := map[string]bool{}
	for _, t := range tags {
		if fallbackTag.MatchString(t) {
			out["sha256:"+t[len("sha256-"):len("sha256-")+64]] = true
		}
	}
	return out
}
