package runner

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/pkg/distribute"
	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/policy"
	"github.com/hoist-build/hoist/pkg/registries"
)

// PushPlan is what a push step copies.
type PushPlan struct {
	// FromStep names the build step whose image is pushed, if any.
	FromStep string
	// Candidate is the source reference when FromStep is empty.
	Candidate name.Reference
	// Username and Password are the step's own credentials, if any.
	Username, Password string
}

// stepOutput matches a candidate that is exactly ${{step}}.
var stepOutput = regexp.MustCompile(`^\$\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}$`)

// planPush plans a push step: its source, target registry, references.
func (pl *planner) planPush(s *pipeline.Step) (*StepPlan, error) {
	path := "steps." + s.Name
	p, err := s.Push.Expand(pl.p.File, path, pl.vars)
	if err != nil {
		return nil, err
	}
	at := func(field, format string, args ...any) error {
		line := p.Lines[field]
		if line == 0 {
			line = s.Line
		}
		return &errs.InputError{File: pl.p.File, Line: line, Field: path + "." + field, Err: hideValues(fmt.Errorf(format, args...), pushExpansions(s.Push, p))}
	}
	sp := &StepPlan{Name: s.Name, Type: s.Type, Push: &PushPlan{Username: p.Username, Password: p.Password}}
	if p.ImageName != "" {
		if err := pipeline.CheckImageName(p.ImageName); err != nil {
			return nil, at("image_name", "%w", err)
		}
	}
	image := strings.Trim(p.ImageName, "/")
	if m := stepOutput.FindStringSubmatch(s.Push.Candidate); m != nil && pl.built[m[1]] != nil {
		sp.Push.FromStep = m[1]
		if image == "" {
			image = pl.built[m[1]].Image
		}
	} else {
		ref, err := name.ParseReference(p.Candidate)
		if err != nil {
			return nil, at("candidate", "%q is not an image reference or a build step's ${{name}}", p.Candidate)
		}
		if err := pipeline.CheckReference(p.Candidate); err != nil {
			return nil, at("candidate", "%w", err)
		}
		sp.Push.Candidate = ref
		if image == "" {
			image = ref.Context().RepositoryStr()
			if i := pl.opts.Registries.For(ref.Context()); i != nil {
				image = i.ImageName(image)
			}
		}
	}
	sp.Image = image
	regName := p.Registry
	if regName == "" && pl.opts.Registries != nil {
		regName = pl.opts.Registries.Default
	}
	if regName == "" {
		return nil, at("registry", "required: no default registry is configured")
	}
	r, err := pl.opts.Registries.Lookup(regName)
	if err != nil {
		return nil, at("registry", "%w", err)
	}
	sp.Decision = policy.Decision{Registries: []*registries.Integration{r}, Rule: policy.RulePushStep}
	// As in Codefresh: tag, tags or both; latest when neither is given.
	first := p.Tag
	if first == "" && len(p.Tags) == 0 {
		first = "latest"
	}
	seen := map[string]bool{}
	all := append([]string{first}, p.Tags...)
	if strings.Join(all, "") == "" {
		all = []string{"latest"} // every tag expanded to nothing
	}
	for _, t := range all {
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		ref, err := r.Tag(image, t)
		if err != nil {
			return nil, at("tag", "%w", err)
		}
		sp.Tags = append(sp.Tags, t)
		sp.Refs = append(sp.Refs, ref.String())
	}
	return sp, nil
}

// pushSource opens what a push step pushes: a build step's image from the
// registry it was pushed to or from the local store, or a reference.
func (pl *planner) pushSource(ctx context.Context, p *PushPlan, ex Exec) (*distribute.Source, error) {
	if p.FromStep == "" {
		return distribute.Open(ctx, ex.Account, p.Candidate, prefixed{ex.Out, "  "})
	}
	pl.mu.Lock()
	b := pl.built[p.FromStep]
	pl.mu.Unlock()
	if b.LocalStore != "" {
		h, err := v1.NewHash(b.Digest)
		if err != nil {
			return nil, fmt.Errorf("step %s left no image: %w", p.FromStep, err)
		}
		return distribute.OpenLayout(b.LocalStore, h)
	}
	if !b.pushes() {
		return nil, fmt.Errorf("step %s was not pushed and hoist has no local store to push it from", p.FromStep)
	}
	ref, err := name.ParseReference(b.Refs[0])
	if err != nil {
		return nil, err
	}
	byDigest := ref.Context().Digest(b.Digest)
	opts, err := ex.Account.Options(ctx, byDigest.Context())
	if err != nil {
		return nil, err
	}
	return distribute.OpenRemote(ctx, byDigest, opts...)
}

// stepKeychain uses a push step's own credentials for its target registry.
type stepKeychain struct {
	host, user, pass string
	next             authn.Keychain
}

func (k stepKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if r.RegistryStr() == k.host {
		return &authn.Basic{Username: k.user, Password: k.pass}, nil
	}
	return k.next.Resolve(r)
}

// clients returns the registry clients of a step's decision.
func clients(ex Exec, res *StepResult) []*registries.Client {
	var out []*registries.Client
	for _, r := range res.Decision.Registries {
		out = append(out, ex.Account.Client(r))
	}
	return out
}

func printPush(w io.Writer, sp *StepPlan) {
	from := "from step " + sp.Push.FromStep
	if sp.Push.FromStep == "" {
		from = "from " + sp.Push.Candidate.String()
	}
	fmt.Fprintf(w, "step %s: %s, %s\n", sp.Name, sp.Decision, from)
	for _, r := range sp.Refs {
		fmt.Fprintf(w, "  %s\n", r)
	}
}

// prefixed writes every line with a prefix.
type prefixed struct {
	w      io.Writer
	prefix string
}

func (p prefixed) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}
