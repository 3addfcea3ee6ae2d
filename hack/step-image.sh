#!/usr/bin/env bash
# Builds hoist's step image with hoist itself: static hoist binaries for
# linux/amd64 and linux/arm64 into a build context with the Dockerfile,
# then `hoist build` for both platforms, FROM the official rootless BuildKit
# image of the version go.mod pins (or $BASE), pushed as $IMAGE:$TAG to the
# registry integration $REGISTRY of $HOIST_REGISTRIES.
#   IMAGE=hoist TAG=0.1.0 REGISTRY=ghcr ./hack/step-image.sh
set -euo pipefail
cd "$(dirname "$0")/.."
buildkit=$(go list -m -f '{{.Version}}' github.com/moby/buildkit)
base=${BASE:-moby/buildkit:$buildkit-rootless}
platforms=${PLATFORMS:-linux/amd64,linux/arm64}
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp Dockerfile "$ctx/"
for p in ${platforms//,/ }; do
	os=${p%/*} arch=${p#*/}
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -o "$ctx/bin/${os}_${arch}/hoist" ./cmd/hoist
done
go build -o bin/hoist ./cmd/hoist
args=(build "$ctx" --image-name "${IMAGE:-hoist}" --tag "${TAG:-dev}" --platform "$platforms" --build-arg "BASE=$base")
if [ -n "${REGISTRY:-}" ]; then args+=(--registry "$REGISTRY"); fi
exec bin/hoist "${args[@]}"
