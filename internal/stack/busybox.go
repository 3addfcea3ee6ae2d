package stack

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// BusyboxPath is where Debian's busybox-static installs its binary.
const BusyboxPath = "/bin/busybox"

// BusyboxARM64Path is where make setup puts Debian's busybox-static for
// arm64.
const BusyboxARM64Path = "/usr/local/lib/busybox-arm64"

// Busybox returns a linux/amd64 image of Debian's static busybox with a
// symlink in /bin for every applet, and /tmp.
func Busybox() (v1.Image, error) {
	return busyboxImage(BusyboxPath, "amd64")
}

// BusyboxIndex returns an index of the Busybox image for linux/amd64 and
// linux/arm64 (Debian's arm64 busybox-static, which runs under qemu).
func BusyboxIndex() (v1.ImageIndex, error) {
	amd, err := busyboxImage(BusyboxPath, "amd64")
	if err != nil {
		return nil, err
	}
	arm, err := busyboxImage(BusyboxARM64Path, "arm64")
	if err != nil {
		return nil, err
	}
	return mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
	), nil
}

// PushBusyboxIndex pushes BusyboxIndex to ref and returns its digest.
func PushBusyboxIndex(ref string) (string, error) {
	idx, err := BusyboxIndex()
	if err != nil {
		return "", err
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return "", err
	}
	if err := remote.WriteIndex(r, idx); err != nil {
		return "", fmt.Errorf("pushing %s: %w", ref, err)
	}
	d, err := idx.Digest()
	return d.String(), err
}

// busyboxImage is the busybox binary at path as a linux/arch image.
func busyboxImage(path, arch string) (v1.Image, error) {
	bin, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s (make setup installs busybox-static): %w", path, err)
	}
	out, err := exec.Command(BusyboxPath, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("busybox --list: %w", err)
	}
	entries := []entry{{name: "bin/", mode: 0o755}, {name: "tmp/", mode: 0o1777}, {name: "etc/", mode: 0o755},
		{name: "bin/busybox", mode: 0o755, data: bin}}
	for _, applet := range strings.Fields(string(out)) {
		if applet != "busybox" {
			entries = append(entries, entry{name: "bin/" + applet, mode: 0o777, link: "busybox"})
		}
	}
	entries = append(entries, entry{name: "etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/bin/sh\n")})
	return withLayer(empty.Image, entries, func(cf *v1.ConfigFile) {
		cf.Architecture, cf.OS = arch, "linux"
		cf.Created = v1.Time{Time: epoch}
		cf.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
		cf.Config.Cmd = []string{"sh"}
	})
}

// PushBusybox pushes the Busybox image to ref and returns its digest.
func PushBusybox(ref string, auth authn.Authenticator) (string, error) {
	img, err := Busybox()
	return pushImage(ref, img, err, auth)
}
