#!/usr/bin/env bash
# Installs the real stack that hoist's demo and tests run on, on a fresh
# Debian machine, as root:
#   - Debian's runc (buildkitd's executor), busybox-static (the base image),
#     docker-registry (the distribution registry), qemu-user-static, git;
#   - buildkitd and buildctl built from the moby/buildkit version that go.mod
#     pins, cached in $HOIST_CACHE (default ~/.cache/hoist) and installed to
#     /usr/local/bin.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
	echo "setup: run as root (buildkitd runs as root with runc)" >&2
	exit 1
fi

packages=(runc busybox-static docker-registry qemu-user-static git ca-certificates)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's package would start a registry on :5000 where systemd runs; the
# demo and tests start their own.
if command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
	systemctl stop docker-registry || true
fi

version=$(go list -m -f '{{.Version}}' github.com/moby/buildkit)
cache=${HOIST_CACHE:-${HOME:-/root}/.cache/hoist}/bin
mkdir -p "$cache"
if [ ! -x "$cache/buildkitd-$version" ] || [ ! -x "$cache/buildctl-$version" ]; then
	echo "setup: building buildkitd $version from the Go module cache (a few minutes, once)"
	go mod download github.com/moby/buildkit
	ldflags="-X github.com/moby/buildkit/version.Version=$version -X github.com/moby/buildkit/version.Package=github.com/moby/buildkit"
	src=$(go list -m -f '{{.Dir}}' github.com/moby/buildkit)
	(cd "$src" && GOFLAGS=-mod=mod go build -ldflags "$ldflags" -o "$cache/buildkitd-$version.tmp" ./cmd/buildkitd \
		&& GOFLAGS=-mod=mod go build -ldflags "$ldflags" -o "$cache/buildctl-$version.tmp" ./cmd/buildctl)
	mv "$cache/buildkitd-$version.tmp" "$cache/buildkitd-$version"
	mv "$cache/buildctl-$version.tmp" "$cache/buildctl-$version"
fi
install -m 0755 "$cache/buildkitd-$version" /usr/local/bin/buildkitd
install -m 0755 "$cache/buildctl-$version" /usr/local/bin/buildctl
echo "setup: ready: $(buildkitd --version), $(docker-registry --version), $(runc --version | head -1)"
