#!/usr/bin/env bash
# Installs the peers `make bench` compares hoist with:
#   - skopeo, Debian's package (as root; otherwise a warning);
#   - crane, built from the go-containerregistry version go.mod pins;
#   - regctl, built from the Go module proxy at the version below;
# crane and regctl go to $HOIST_CACHE/bin (default ~/.cache/hoist/bin),
# named by version, with a link under the plain name.
set -euo pipefail
cd "$(dirname "$0")/.."

. hack/lib.sh
regctl_version=v0.11.7
mkdir -p "$cache"

if ! command -v skopeo >/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		echo "bench-tools: installing skopeo"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends skopeo >/dev/null
	else
		echo "bench-tools: warning: skopeo is missing and only root can install it (apt-get install skopeo)" >&2
	fi
fi

ggcr=$(go list -m -f '{{.Version}}' github.com/google/go-containerregistry)
if [ ! -x "$cache/crane-$ggcr" ]; then
	echo "bench-tools: building crane $ggcr"
	go build -o "$cache/crane-$ggcr.tmp" github.com/google/go-containerregistry/cmd/crane
	mv "$cache/crane-$ggcr.tmp" "$cache/crane-$ggcr"
fi
ln -sfn "crane-$ggcr" "$cache/crane"

go_install_once github.com/regclient/regclient/cmd/regctl "$regctl_version" regctl
ln -sfn "regctl-$regctl_version" "$cache/regctl"
