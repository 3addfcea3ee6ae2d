package commands

import (
	"io"

	"fmt"
	"strings"

	"github.com/hoist-build/hoist/pkg/runner"

	"github.com/distribution/reference"

	"github.com/hoist-build/hoist/pkg/errs"
)

// buildTags is what hoist build's -t values say, read as buildx reads
// them: a value with a "/" or ":" is a full reference, the image pushed
// there as written (a reference without a registry is Docker Hub's, as in
// docker); any other value is a tag of --image-name.
type buildTags struct {
	// image is --image-name or, when it is not given, the first full
	// reference's repository path: the name the build's labels, outputs
	// and integration pushes use.
	image string
	// tags are the plain tags.
	tags []string
	// refs are the full references, normalized (docker.io/library/app:1).
	refs []string
	// refsOnly: the image goes to refs only, the auto-push policy is not
	// asked: -t gives full references and neither a plain tag nor
	// --registry names anything else.
	refsOnly bool
}

// readTags splits the -t values and checks them against --image-name and
// --registry.
func readTags(imageName string, values, registries []string) (buildTags, error) {
	bt := buildTags{image: imageName}
	for _, v := range values {
		if !strings.ContainsAny(v, "/:@") {
			bt.tags = append(bt.tags, v)
			continue
		}
		named, err := reference.ParseNormalizedNamed(v)
		if err != nil {
			return bt, errs.Input("-t %s: not a tag or an image reference: %v", v, err)
		}
		if _, ok := named.(reference.Digested); ok {
			return bt, errs.Input("-t %s: names a digest; -t takes a tag or a reference with a tag", v)
		}
		named = reference.TagNameOnly(named)
		bt.refs = append(bt.refs, named.String())
		if bt.image == "" {
			bt.image = imagePath(named)
		}
	}
	switch {
	case bt.image == "":
		return bt, errs.Input("--image-name: required, unless -t gives a full reference such as registry.example.com/acme/app:1.2")
	case len(bt.refs) > 0 && len(bt.tags) > 0 && imageName == "" && len(registries) == 0:
		return bt, errs.Input("-t %s: a plain tag next to full references; write it in full (%s) or give --image-name or --registry to say where it goes", bt.tags[0], retag(bt.refs[0], bt.tags[0]))
	}
	bt.refsOnly = len(bt.refs) > 0 && len(bt.tags) == 0 && len(registries) == 0
	if bt.refsOnly {
		// The version label and the outputs' names come from the tag.
		bt.tags = []string{bt.refs[0][strings.LastIndex(bt.refs[0], ":")+1:]}
	}
	return bt, nil
}

// imagePath is a reference's repository path, as Docker Hub's images are
// written (app, not library/app).
func imagePath(named reference.Named) string {
	path := reference.Path(named)
	if reference.Domain(named) == "docker.io" {
		path = strings.TrimPrefix(path, "library/")
	}
	return path
}

// retag returns ref with tag in place of its own.
func retag(ref, tag string) string {
	return fmt.Sprintf("%s:%s", ref[:strings.LastIndex(ref, ":")], tag)
}

// runOptions hands the full references and the outputs to the run: the
// step blocks leave stdout to an output written there.
func (f *buildOptions) runOptions(opts *runner.Options, stdout io.Writer) {
	opts.StepRefs, opts.StepRefsOnly = f.read.refs, f.read.refsOnly
	opts.Outputs = f.outputs.files()
	if f.outputs.toStdout() {
		opts.OutputStdout = stdout
	}
}
