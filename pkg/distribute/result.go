package distribute

import (
	"fmt"
	"strings"
)

// Statuses of a target (Result.Status).
const (
	// StatusPushed: the target holds the image and every tag holds its
	// digest.
	StatusPushed = "pushed"
	// StatusNotTagged: the target holds the image by digest, but its tags
	// were not moved because another target failed.
	StatusNotTagged = "not-tagged"
	// StatusRolledBack: hoist moved tags here, then moved every one back
	// to what it held before, because another target failed, the run was
	// interrupted or another writer moved a tag.
	StatusRolledBack = "rolled-back"
	// StatusConflict: another writer moved a tag here while hoist wrote
	// it; TagChanges say what each tag holds.
	StatusConflict = "conflict"
	// StatusNotRestored: hoist moved a tag here and could not move it
	// back; TagChanges say which and why.
	StatusNotRestored = "not-restored"
	// StatusFailed: a write or a read at this target failed.
	StatusFailed = "failed"
)

// Outcomes of one tag at one target (TagChange.Outcome).
const (
	// TagMoved: the tag holds the image's digest.
	TagMoved = "moved"
	// TagNotMoved: hoist did not move the tag; it holds what it held before.
	TagNotMoved = "not-moved"
	// TagRestored: hoist moved the tag, then moved it back to the digest
	// it held before, or removed it when it did not exist before.
	TagRestored = "restored"
	// TagNotRestored: hoist moved the tag and could not move it back.
	TagNotRestored = "not-restored"
	// TagConflict: another writer moved the tag while hoist wrote it.
	TagConflict = "conflict"
	// TagUnknown: hoist could not read what the tag holds at the end.
	TagUnknown = "unknown"
)

// Result is what happened at one target.
type Result struct {
	Registry   string `json:"registry"`
	Repository string `json:"repository"`
	// Reference is repository@digest.
	Reference string `json:"reference"`
	Digest    string `json:"digest"`
	// Tags are the target's tags that hold the digest when hoist is done.
	Tags   []string `json:"tags"`
	Status string   `json:"status"`
	Error  string   `json:"error,omitempty"`
	// TagChanges say, per tag, what it held before hoist wrote tags, what
	// it holds after, and what hoist did; empty when hoist never got to
	// the tags.
	TagChanges []TagChange `json:"tag_changes,omitempty"`
	Counts
}

// TagChange is what happened to one tag at one target.
type TagChange struct {
	Tag string `json:"tag"`
	// Before is the digest the tag held when hoist began writing tags; ""
	// when the tag did not exist.
	Before string `json:"before"`
	// After is the digest the tag held when hoist last read it; "" when it
	// does not exist (or, with outcome unknown, could not be read).
	After string `json:"after"`
	// Outcome is one of the Tag* outcomes.
	Outcome string `json:"outcome"`
	// Error says why a tag was not restored, who else moved it, or why it
	// could not be read.
	Error string `json:"error,omitempty"`
}

// String is the one-line report of a target, e.g. "pushed host/repo@sha256:…
// tags 1.0,latest (uploaded 6 blobs, 1501234 bytes; skipped 0; mounted 0)";
// when tags did not end up where asked, it says where each did end up.
func (r *Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Status, r.Reference)
	if len(r.Tags) > 0 {
		fmt.Fprintf(&b, " tags %s", strings.Join(r.Tags, ","))
	}
	if r.AlreadyPresent {
		b.WriteString(" (already present: nothing uploaded)")
	} else {
		fmt.Fprintf(&b, " (uploaded %d blobs, %d bytes; skipped %d; mounted %d)", r.BlobsUploaded, r.BytesUploaded, r.BlobsSkipped, r.BlobsMounted)
	}
	if d := r.detail(); d != "" {
		fmt.Fprintf(&b, ": %s", d)
	}
	return b.String()
}

// detail is the error and what became of each tag that does not hold the
// digest, in one line.
func (r *Result) detail() string {
	var parts []string
	if r.Error != "" {
		parts = append(parts, r.Error)
	}
	if r.Status == StatusPushed {
		return strings.Join(parts, "; ")
	}
	var restored, removed, notMoved []string
	for _, c := range r.TagChanges {
		switch c.Outcome {
		case TagMoved:
			if c.Error != "" {
				parts = append(parts, fmt.Sprintf("tag %s holds this image, but %s", c.Tag, c.Error))
			}
		case TagRestored:
			if c.Before == "" {
				removed = append(removed, c.Tag)
			} else {
				restored = append(restored, c.Tag)
			}
		case TagNotMoved:
			notMoved = append(notMoved, c.Tag)
		case TagNotRestored:
			parts = append(parts, fmt.Sprintf("tag %s not restored: it holds %s and %s: %s", c.Tag, c.After, held(c.Before), c.Error))
		case TagConflict:
			parts = append(parts, fmt.Sprintf("tag %s now holds %s: %s", c.Tag, orAbsent(c.After), c.Error))
		case TagUnknown:
			parts = append(parts, fmt.Sprintf("tag %s unknown: %s", c.Tag, c.Error))
		}
	}
	if len(restored) == 1 {
		parts = append(parts, "restored "+restored[0]+" to its previous digest")
	} else if len(restored) > 1 {
		parts = append(parts, "restored "+strings.Join(restored, ",")+" to their previous digests")
	}
	if len(removed) > 0 {
		parts = append(parts, "removed "+strings.Join(removed, ",")+", which did not exist before")
	}
	if len(notMoved) > 0 {
		parts = append(parts, "not moved "+strings.Join(notMoved, ","))
	}
	return strings.Join(parts, "; ")
}

// held says what a tag held before the run.
func held(digest string) string {
	if digest == "" {
		return "did not exist before"
	}
	return "held " + digest + " before"
}

func orAbsent(digest string) string {
	if digest == "" {
		return "nothing (deleted)"
	}
	return digest
}

// failedList names every target that did not end as asked, with what
// became of its tags.
func failedList(results []*Result) string {
	var parts []string
	for _, r := range results {
		if r.Status == StatusPushed {
			continue
		}
		d := r.detail()
		if r.Status == StatusNotTagged && d == "" {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s)", r.Repository, r.Status, d))
	}
	return strings.Join(parts, "; ")
}
