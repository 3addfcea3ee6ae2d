package registries

import (
	"context"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Pull is where an image is pulled from.
type Pull struct {
	// Ref is the image as the build names it.
	Ref string
	// From is what to pull: Ref, or the same image in the fallback.
	From string
	// Primary is the integration that holds Ref; nil when none does.
	Primary *Integration
	// Fallback is set when From is in the primary's fallback registry.
	Fallback *Integration
	// Reason says why the primary failed, when it did.
	Reason string
}

// pullBackoff is how a pull check is retried before the fallback is used.
var pullBackoff = remote.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Jitter: 0.1, Steps: 3}

// ResolvePull checks that ref can be pulled from its integration, with
// retries. When it cannot (down, 5xx, auth) and the integration names a
// fallback, the same path (the fallback's prefix in place of the
// primary's) and tag or digest is pulled from the fallback. An image outside
// every integration is left as it is.
func (a *Account) ResolvePull(ctx context.Context, ref string) (Pull, error) {
	p := Pull{Ref: ref, From: ref}
	r, err := name.ParseReference(ref)
	if err != nil {
		return p, nil // BuildKit reports a bad image name itself
	}
	p.Primary = a.Config.For(r.Context())
	if p.Primary == nil {
		return p, nil
	}
	perr := a.Client(p.Primary).Head(ctx, r, pullBackoff)
	if perr == nil {
		return p, nil
	}
	perr = Explain(p.Primary, perr)
	if p.Primary.Fallback == "" {
		return p, fmt.Errorf("image %s: %w (no fallback configured)", ref, perr)
	}
	fb, _ := a.Config.Get(p.Primary.Fallback)
	repo, err := fb.Repository(p.Primary.ImageName(r.Context().RepositoryStr()))
	if err != nil {
		return p, fmt.Errorf("image %s: fallback %s: %w", ref, fb, err)
	}
	var alt name.Reference = repo.Tag(r.Identifier())
	if d, ok := r.(name.Digest); ok {
		alt = repo.Digest(d.DigestStr())
	}
	if err := a.Client(fb).Head(ctx, alt, pullBackoff); err != nil {
		return p, fmt.Errorf("image %s: %v; fallback: %w", ref, perr, Explain(fb, err))
	}
	p.From, p.Fallback, p.Reason = alt.String(), fb, perr.Error()
	return p, nil
}

// AnyFallback reports whether some integration names a fallback.
func (a *Account) AnyFallback() bool {
	if a.Config == nil {
		return false
	}
	for _, i := range a.Config.Registries {
		if i.Fallback != "" {
			return true
		}
	}
	return false
}

// HasFallback reports whether ref lies in an integration that names a
// fallback, so that checking it before a build can change where it is
// pulled from.
func (a *Account) HasFallback(ref string) bool {
	r, err := name.ParseReference(ref)
	if err != nil {
		return false
	}
	i := a.Config.For(r.Context())
	return i != nil && i.Fallback != ""
}
