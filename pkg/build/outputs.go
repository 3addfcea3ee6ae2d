package build

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/buildkit/client"
	"github.com/tonistiigi/go-csvvalue"
)

// Output is one --output of hoist build, as buildx takes it:
// type=image|registry|oci|docker|tar|local, dest=PATH ("-" is stdout for
// the tar kinds), and the exporter's own attributes.
type Output struct {
	// Type is the exporter: image and registry publish the image (hoist
	// pushes it itself); oci, docker, tar and local write it to Dest.
	Type string
	// Dest is the file (oci, docker, tar; "-" for stdout) or folder
	// (local) to write; empty for image and registry.
	Dest string
	// Attrs are the other key=value pairs, passed to BuildKit's exporter.
	Attrs map[string]string
}

// ParseOutput parses one --output value, as buildx does: CSV fields,
// type= required (a bare PATH is type=local,dest=PATH, as in buildx, and
// "-" is type=tar,dest=-). A relative dest is taken from dir.
func ParseOutput(s, dir string) (Output, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "-":
		s = "type=tar,dest=-"
	case s != "" && !strings.Contains(s, "="):
		s = "type=local,dest=" + s
	}
	fields, err := csvvalue.Fields(s, nil)
	if err != nil {
		return Output{}, fmt.Errorf("%q: %w", s, err)
	}
	o := Output{Attrs: map[string]string{}}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return Output{}, fmt.Errorf("%q: %q is not key=value", s, f)
		}
		switch k = strings.ToLower(strings.TrimSpace(k)); k {
		case "type":
			o.Type = v
		case "dest":
			o.Dest = v
		default:
			o.Attrs[k] = v
		}
	}
	switch o.Type {
	case "":
		return o, fmt.Errorf("%q: type= is required (image, registry, oci, docker, tar or local)", s)
	case client.ExporterImage, "registry":
		if o.Dest != "" {
			return o, fmt.Errorf("%q: type=%s takes no dest", s, o.Type)
		}
		for k, v := range o.Attrs {
			switch k {
			case "push":
				if _, err := strconv.ParseBool(v); err != nil {
					return o, fmt.Errorf("%q: push=%s must be true or false", s, v)
				}
			case "name":
			default:
				return o, fmt.Errorf("%q: %s=: hoist pushes the image itself, by digest; type=%s takes name= and push=", s, k, o.Type)
			}
		}
		return o, nil
	case client.ExporterOCI, client.ExporterDocker, client.ExporterTar, client.ExporterLocal:
	default:
		return o, fmt.Errorf("%q: type=%s: hoist writes image, registry, oci, docker, tar or local outputs", s, o.Type)
	}
	if o.Dest == "" {
		return o, fmt.Errorf("%q: type=%s needs dest=", s, o.Type)
	}
	if v, ok := o.Attrs["tar"]; ok && v != "true" {
		return o, fmt.Errorf("%q: tar=%s: hoist writes %s outputs as a tar file (type=local writes a folder)", s, v, o.Type)
	}
	if o.Type == client.ExporterLocal && o.Dest == "-" {
		return o, fmt.Errorf("%q: type=local writes a folder, not stdout (use type=tar,dest=-)", s)
	}
	if o.Dest != "-" && !filepath.IsAbs(o.Dest) {
		o.Dest = filepath.Join(dir, o.Dest)
	}
	return o, nil
}

// Publishes reports whether the output is the image pushed to registries
// (type=image or type=registry without push=false).
func (o Output) Publishes() bool {
	if o.Type != client.ExporterImage && o.Type != "registry" {
		return false
	}
	push, err := strconv.ParseBool(o.Attrs["push"])
	return err != nil || push
}

// Names are the references a type=image or type=registry output names
// (name=REF, several comma-separated), as buildx's -t.
func (o Output) Names() []string {
	if o.Type != client.ExporterImage && o.Type != "registry" || o.Attrs["name"] == "" {
		return nil
	}
	return strings.Split(o.Attrs["name"], ",")
}

// Stdout reports whether the output is written to standard output.
func (o Output) Stdout() bool { return o.Dest == "-" }

// fileOutputs are the --output files and folders of one build: each is
// written to a temporary path next to its destination, and moved in place
// only when the build succeeds.
type fileOutputs struct {
	entries []client.ExportEntry
	// moves are temporary path → destination, done by commit.
	moves  [][2]string
	temps  []string
	files  []*os.File
	stdout io.Writer
}

// newFileOutputs returns BuildKit exporters for the outputs that write
// files, each with the image's names, OCI media types where the image
// gets them, and the given annotation attributes, so an oci output holds
// the image hoist reports.
func newFileOutputs(outs []Output, stdout io.Writer, imageAttrs map[string]string) (*fileOutputs, error) {
	f := &fileOutputs{stdout: stdout}
	for _, o := range outs {
		if o.Dest == "" {
			continue
		}
		attrs := map[string]string{}
		if o.Type == client.ExporterOCI {
			for k, v := range imageAttrs {
				attrs[k] = v
			}
		} else if o.Type == client.ExporterDocker && imageAttrs["name"] != "" {
			attrs["name"] = imageAttrs["name"]
		}
		for k, v := range o.Attrs {
			attrs[k] = v
		}
		e := client.ExportEntry{Type: o.Type, Attrs: attrs}
		if o.Type == client.ExporterLocal {
			if err := os.MkdirAll(filepath.Dir(o.Dest), 0o755); err != nil {
				f.abort()
				return nil, fmt.Errorf("output %s: %w", o.Dest, err)
			}
			tmp, err := os.MkdirTemp(filepath.Dir(o.Dest), "."+filepath.Base(o.Dest)+".hoist-")
			if err != nil {
				f.abort()
				return nil, fmt.Errorf("output %s: %w", o.Dest, err)
			}
			f.temps = append(f.temps, tmp)
			f.moves = append(f.moves, [2]string{tmp, o.Dest})
			e.OutputDir = tmp
		} else {
			w, err := f.writer(o)
			if err != nil {
				f.abort()
				return nil, err
			}
			e.Output = func(map[string]string) (io.WriteCloser, error) { return w, nil }
		}
		f.entries = append(f.entries, e)
	}
	return f, nil
}

// writer returns where a file output is written: a temporary file next to
// its destination, or stdout.
func (f *fileOutputs) writer(o Output) (io.WriteCloser, error) {
	if o.Stdout() {
		return nopCloser{f.stdout}, nil
	}
	if st, err := os.Stat(o.Dest); err == nil && st.IsDir() {
		return nil, fmt.Errorf("output %s: is a folder; type=%s writes a file", o.Dest, o.Type)
	}
	if err := os.MkdirAll(filepath.Dir(o.Dest), 0o755); err != nil {
		return nil, fmt.Errorf("output %s: %w", o.Dest, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(o.Dest), "."+filepath.Base(o.Dest)+".hoist-")
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", o.Dest, err)
	}
	f.temps = append(f.temps, tmp.Name())
	f.files = append(f.files, tmp)
	f.moves = append(f.moves, [2]string{tmp.Name(), o.Dest})
	return tmp, nil
}

// commit moves every output in place; a folder output's entries replace
// those of the same name in an existing destination folder, as BuildKit's
// local exporter writes over them.
func (f *fileOutputs) commit() error {
	for _, m := range f.moves {
		tmp, dest := m[0], m[1]
		st, err := os.Stat(tmp)
		if err != nil {
			return fmt.Errorf("output %s: %w", dest, err)
		}
		if st.IsDir() {
			err = moveDir(tmp, dest)
		} else {
			// CreateTemp makes files only the owner reads; an output is
			// an ordinary file.
			if err = os.Chmod(tmp, 0o644); err == nil {
				err = os.Rename(tmp, dest)
			}
		}
		if err != nil {
			return fmt.Errorf("output %s: %w", dest, err)
		}
	}
	f.temps = nil
	return nil
}

// abort removes what the outputs wrote so far: no half-written file is
// left behind.
func (f *fileOutputs) abort() {
	for _, fl := range f.files {
		fl.Close()
	}
	for _, t := range f.temps {
		os.RemoveAll(t)
	}
	f.temps = nil
}

// moveDir moves folder tmp to dest: a rename when dest does not exist,
// else each entry of tmp into dest, replacing one of the same name.
func moveDir(tmp, dest string) error {
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err == nil {
		return nil
	} else if st, serr := os.Stat(dest); serr != nil || !st.IsDir() {
		return err
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return err
	}
	for _, e := range entries {
		to := filepath.Join(dest, e.Name())
		if err := os.RemoveAll(to); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(tmp, e.Name()), to); err != nil {
			return err
		}
	}
	return os.Remove(tmp)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// imageAttrs are the local store exporter's attributes that make the
// image what it is (names, media types, annotations): an oci output gets
// them too, so it holds the same manifest, by digest.
func imageAttrs(e client.ExportEntry) map[string]string {
	out := map[string]string{}
	for k, v := range e.Attrs {
		if k != "tar" {
			out[k] = v
		}
	}
	return out
}

// wholeOnly reports whether req must be built by one builder, not split
// by platform among a pool's nodes: its --output files and local cache
// exports hold the whole image, which no one node has.
func (req Request) wholeOnly() bool {
	if len(req.Outputs) > 0 {
		return true
	}
	for _, e := range req.CacheTo {
		if e.Type == "local" {
			return true
		}
	}
	return false
}
