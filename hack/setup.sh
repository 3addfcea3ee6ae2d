#!/usr/bin/env bash
# Installs the real stack that hoist's demo and tests run on, on a fresh
# Debian machine, as root:
#   - Debian's runc (buildkitd's executor), busybox-static (the base image),
#     docker-registry (the distribution registry), qemu-user-static, git,
#     chromium (the image page's browser test);
#   - distribution v3 (as distribution-registry), the tests' second
#     registry implementation, cached in $HOIST_CACHE/bin;
#   - buildkitd and buildctl built from the moby/buildkit version that go.mod
#     pins, cached in $HOIST_CACHE (default ~/.cache/hoist) and installed to
#     /usr/local/bin.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
	echo "setup: run as root (buildkitd runs as root with runc)" >&2
	exit 1
fi

packages=(runc busybox-static docker-registry qemu-user-static git ca-certificates rootlesskit uidmap chromium)
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

. hack/lib.sh
version=$(go list -m -f '{{.Version}}' github.com/moby/buildkit)
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
# An unprivileged user for the rootless daemonless test, with subordinate
# uid and gid ranges for rootlesskit.
if ! id hoist-rootless >/dev/null 2>&1; then
	useradd --create-home --shell /bin/sh hoist-rootless
fi
grep -q '^hoist-rootless:' /etc/subuid || usermod --add-subuids 300000-365535 hoist-rootless
grep -q '^hoist-rootless:' /etc/subgid || usermod --add-subgids 300000-365535 hoist-rootless
# distribution v3, the second registry implementation the tests run
# against (Debian packages 2.8), built from the Go module proxy.
dist3=v3.1.2
go_install_once github.com/distribution/distribution/v3/cmd/registry "$dist3" distribution-registry
install -m 0755 "$cache/distribution-registry-$dist3" /usr/local/bin/distribution-registry
# arm64 under qemu: binfmt_misc is not mounted at boot here; mount it and
# register Debian's qemu-aarch64 handler (from qemu-user-static).
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
	mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || echo "setup: warning: cannot mount binfmt_misc: arm64 builds will fail" >&2
fi
if [ -e /proc/sys/fs/binfmt_misc/register ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
	grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf > /proc/sys/fs/binfmt_misc/register || echo "setup: warning: cannot register qemu-aarch64" >&2
fi
# Debian's busybox-static for arm64, for the tests' multi-platform base image.
if [ ! -x "$cache/busybox-arm64" ]; then
	echo "setup: fetching busybox-static for arm64"
	dpkg --print-foreign-architectures | grep -qx arm64 || { dpkg --add-architecture arm64 && apt-get update -qq; }
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -qq busybox-static:arm64 2>/dev/null && dpkg-deb -x busybox-static_*_arm64.deb x)
	install -m 0755 "$tmp/x/bin/busybox" "$cache/busybox-arm64"
	rm -rf "$tmp"
fi
install -m 0755 "$cache/busybox-arm64" /usr/local/lib/busybox-arm64 2>/dev/null || { mkdir -p /usr/local/lib && install -m 0755 "$cache/busybox-arm64" /usr/local/lib/busybox-arm64; }
echo "setup: ready: $(buildkitd --version), $(docker-registry --version), $(distribution-registry --version), $(runc --version | head -1), arm64 $(/usr/local/lib/busybox-arm64 uname -m 2>/dev/null || echo unavailable)"
