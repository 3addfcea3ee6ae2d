package stack

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// SBOMGeneratorTool is the creator the stand-in SBOM generator writes
// into each SPDX document it makes.
const SBOMGeneratorTool = "Tool: hoist-sbom-stand-in"

// sbomScript follows BuildKit's SBOM generator protocol
// (docs/attestations/sbom-protocol.md): it scans the root filesystem at
// $BUILDKIT_SCAN_SOURCE and writes one in-toto statement with an SPDX
// document, listing each regular file with its SHA-256, to
// $BUILDKIT_SCAN_DESTINATION/<name of the source>.spdx.json. Extras
// ($BUILDKIT_SCAN_SOURCE_EXTRAS) are not scanned.
const sbomScript = `#!/bin/sh
set -eu
src="${BUILDKIT_SCAN_SOURCE:?BUILDKIT_SCAN_SOURCE is not set}"
dst="${BUILDKIT_SCAN_DESTINATION:?BUILDKIT_SCAN_DESTINATION is not set}"
out="$dst/$(basename "$src").spdx.json"
esc() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }
{
  printf '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":{'
  printf '"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"%s",' "$(basename "$src" | esc)"
  printf '"documentNamespace":"https://hoist.invalid/sbom-stand-in/%s",' "$(date +%s)-$$"
  printf '"creationInfo":{"created":"%s","creators":["Tool: hoist-sbom-stand-in"]},"files":[' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  n=0
  cd "$src"
  find . -type f | sort | while IFS= read -r f; do
    n=$((n+1))
    [ "$n" -gt 1 ] && printf ','
    sum=$(sha256sum "$f" | cut -d' ' -f1)
    printf '{"fileName":"%s","SPDXID":"SPDXRef-File-%d","checksums":[{"algorithm":"SHA256","checksumValue":"%s"}]}' "$(printf '%s' "$f" | esc)" "$n" "$sum"
  done
  printf ']}}\n'
} > "$out"
`

// SBOMGenerator returns a stand-in for an SBOM scanner image such as
// docker/buildkit-syft-scanner, which cannot be downloaded here: the
// Busybox image with a shell script that follows BuildKit's SBOM
// generator protocol, listing the scanned files with their SHA-256.
func SBOMGenerator() (v1.Image, error) {
	base, err := Busybox()
	if err != nil {
		return nil, err
	}
	return withLayer(base, []entry{{name: "bin/sbom-stand-in", mode: 0o755, data: []byte(sbomScript)}}, func(cf *v1.ConfigFile) {
		cf.Config.Entrypoint = []string{"/bin/sh", "/bin/sbom-stand-in"}
		cf.Config.Cmd = nil
	})
}

// PushSBOMGenerator pushes the SBOMGenerator image to ref (an open
// registry) and returns its digest.
func PushSBOMGenerator(ref string) (string, error) {
	img, err := SBOMGenerator()
	return pushImage(ref, img, err, nil)
}
