package stack

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// StepBaseBinaries are the programs the official rootless BuildKit image
// holds that hoist's step image needs, as found on this machine, and the
// names the image gives them (as BuildKit's own image does: runc is
// buildkit-runc).
var StepBaseBinaries = map[string]string{
	"buildkitd": "usr/bin/buildkitd",
	"buildctl":  "usr/bin/buildctl",
	"runc":      "usr/bin/buildkit-runc",
}

// StepBase returns a stand-in for the official rootless BuildKit image,
// which cannot be downloaded here: the Busybox image plus the machine's
// buildkitd, buildctl and runc, with the shared libraries they link
// against. hoist's step image Dockerfile builds on it as it does on the
// real one.
func StepBase() (v1.Image, error) {
	base, err := Busybox()
	if err != nil {
		return nil, err
	}
	files := map[string]string{} // path in the image → path here
	for bin, at := range StepBaseBinaries {
		p, err := exec.LookPath(bin)
		if err != nil {
			return nil, fmt.Errorf("%s not found (make setup installs it): %w", bin, err)
		}
		files[at] = p
		libs, err := sharedLibraries(p)
		if err != nil {
			return nil, err
		}
		for _, l := range libs {
			files[strings.TrimPrefix(l, "/")] = l
		}
	}
	dirs := map[string]bool{}
	for at := range files {
		for d := filepath.Dir(at); d != "." && !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	var entries []entry
	for d := range dirs {
		entries = append(entries, entry{name: d + "/", mode: 0o755})
	}
	for at, from := range files {
		data, err := os.ReadFile(from)
		if err != nil {
			return nil, err
		}
		entries = append(entries, entry{name: at, mode: 0o755, data: data})
	}
	// Folders sort before what they hold; the layer's digest is the same
	// on every call.
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	return withLayer(base, entries, nil)
}

var lddPath = regexp.MustCompile(`(/\S+) \(0x`)

// sharedLibraries lists the libraries a dynamically linked program loads,
// the loader included, as ldd says.
func sharedLibraries(bin string) ([]string, error) {
	out, err := exec.Command("ldd", bin).Output()
	if err != nil {
		return nil, nil // a static binary: ldd says so and fails
	}
	var libs []string
	for _, m := range lddPath.FindAllStringSubmatch(string(out), -1) {
		if p, err := filepath.EvalSymlinks(m[1]); err == nil {
			libs = append(libs, m[1])
			if p != m[1] {
				libs = append(libs, p)
			}
		}
	}
	return libs, nil
}

// PushStepBase pushes StepBase to ref and returns its digest.
func PushStepBase(ref string) (string, error) {
	img, err := StepBase()
	return pushImage(ref, img, err, nil)
}
