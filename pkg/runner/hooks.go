package runner

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hoist-build/hoist/pkg/distribute"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

// stepImage matches the ways Codefresh names a built step's image in
// metadata.set: ${{step}}, ${{step.imageId}}, ${{steps.step.imageId}}.
var stepImage = regexp.MustCompile(`^\$\{\{\s*(?:steps\.)?([A-Za-z0-9_-]+)(?:\.(?:imageId|imageRepoDigest|imageName))?\s*\}\}$`)

// runHooks sets the metadata of the step's on_success, on_fail and
// on_finish hooks that its outcome calls for, on the images they name, in
// every registry the image was pushed to. A hook that cannot be applied
// is a warning: the step's outcome stands.
func (pl *planner) runHooks(ctx context.Context, res *StepResult, ex Exec, stepErr error) {
	for _, h := range res.Hooks {
		switch {
		case h.On == pipeline.StateSuccess && stepErr != nil,
			h.On == pipeline.StateFailure && stepErr == nil:
			continue
		}
		if err := pl.runHook(ctx, res, ex, h); err != nil {
			fmt.Fprintf(ex.Log, "hoist: warning: step %s: metadata %s on %s: %v\n", res.Name, strings.Join(h.Set, ","), h.Image, err)
		}
	}
}

func (pl *planner) runHook(ctx context.Context, res *StepResult, ex Exec, h *pipeline.MetadataHook) error {
	kv := map[string]string{}
	for _, e := range h.Set {
		k, v, _ := strings.Cut(e, "=")
		pl.mu.Lock()
		k, err := pl.vars.Expand(k)
		if err == nil {
			v, err = pl.vars.Expand(v)
		}
		pl.mu.Unlock()
		if err != nil {
			return err
		}
		kv[k] = v
	}
	var pushed []*distribute.Result
	if m := stepImage.FindStringSubmatch(h.Image); m != nil {
		step := res
		if m[1] != res.Name {
			pl.mu.Lock()
			step = pl.built[m[1]]
			pl.mu.Unlock()
		}
		if step == nil {
			return fmt.Errorf("no image was built by step %s", m[1])
		}
		pushed = step.Pushed
	} else {
		pl.mu.Lock()
		ref, err := pl.vars.Expand(h.Image)
		pl.mu.Unlock()
		if err != nil {
			return err
		}
		pushed = []*distribute.Result{{Reference: ref, Status: distribute.StatusPushed}}
	}
	var targets []distribute.Target
	for _, p := range pushed {
		if p.Status != distribute.StatusPushed && p.Status != distribute.StatusNotTagged {
			continue
		}
		ref, err := name.ParseReference(p.Reference)
		if err != nil {
			return err
		}
		t, err := distribute.TargetIn(ex.Account, ref.Context(), nil)
		if err != nil {
			return err
		}
		targets = append(targets, t)
	}
	if len(targets) == 0 {
		return fmt.Errorf("the image is in no registry")
	}
	first, err := name.ParseReference(pushed[0].Reference)
	if err != nil {
		return err
	}
	opts, err := ex.Account.Options(ctx, first.Context())
	if err != nil {
		return err
	}
	src, err := distribute.OpenRemote(ctx, first, opts...)
	if err != nil {
		return err
	}
	subject, err := src.Descriptor()
	if err != nil {
		return err
	}
	results, err := distribute.Annotate(ctx, ex.Publisher, subject, kv, targets)
	for _, r := range results {
		fmt.Fprintf(ex.Out, "  metadata %s: %s\n", joinKV(kv), r)
	}
	return err
}

// joinKV is k=v,... in key order.
func joinKV(kv map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(kv)) {
		parts = append(parts, k+"="+kv[k])
	}
	return strings.Join(parts, ",")
}
