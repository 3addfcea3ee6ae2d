package images

import (
	"strings"
	"time"

	"github.com/hoist-build/hoist/pkg/trace"
)

// Location is one repository that holds an image.
type Location struct {
	// Registry is the integration's name.
	Registry string `json:"registry"`
	// Repository is the full repository, domain included.
	Repository string   `json:"repository"`
	Tags       []string `json:"tags"`
	// Metadata are the keys set after the build in this location.
	Metadata map[string]string `json:"metadata,omitempty"`
	// MetadataSet is when the last of them was set.
	MetadataSet time.Time `json:"metadata_set,omitzero"`
}

// Image is one image, by digest, with every place that stores it.
type Image struct {
	// Name is the image name: the repository path without the domain and
	// the integration's prefix.
	Name      string   `json:"name"`
	Digest    string   `json:"digest"`
	MediaType string   `json:"media_type"`
	Platforms []string `json:"platforms,omitempty"`
	// Created is the org.opencontainers.image.created label's time, else
	// the config's.
	Created   time.Time  `json:"created,omitzero"`
	Size      int64      `json:"size"`
	Locations []Location `json:"locations"`
	// Labels are the image config's labels (the first platform's for an index).
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// Metadata are the keys set after the build (hoist annotate, a step's
	// on_success metadata), read from the artifacts that refer to the
	// image in each location; the most recently set value wins.
	Metadata map[string]string `json:"metadata,omitempty"`
}

// Meta returns a traceability value from the annotations, else the labels.
func (im *Image) Meta(key string) string {
	if v := im.Annotations[key]; v != "" {
		return v
	}
	return im.Labels[key]
}

// Revision is the commit that built the image, if recorded.
func (im *Image) Revision() string { return im.Meta(trace.Revision) }

// Branch is the branch that built the image, if recorded.
func (im *Image) Branch() string { return im.Meta(trace.Branch) }

// Tags is every tag of the image in every location, without repeats.
func (im *Image) Tags() []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range im.Locations {
		for _, t := range l.Tags {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// Registries lists the integrations that hold the image.
func (im *Image) Registries() []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range im.Locations {
		if !seen[l.Registry] {
			seen[l.Registry] = true
			out = append(out, l.Registry)
		}
	}
	return out
}

// ShortDigest is the first 12 hex digits of the digest.
func (im *Image) ShortDigest() string {
	d := strings.TrimPrefix(im.Digest, "sha256:")
	if len(d) > 12 {
		d = d[:12]
	}
	return d
}
