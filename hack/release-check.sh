#!/usr/bin/env bash
# Checks the release: `goreleaser check`, then a snapshot release (four
# binaries, their archives, checksums; nothing is published), then that the
# archives hold README and LICENSE and the linux/amd64 binary says the right
# version and commit.
# goreleaser is built from the Go module proxy at a pinned version and
# cached in $HOIST_CACHE/bin (default ~/.cache/hoist/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

. hack/lib.sh
version=v2.16.0 # the newest that builds with this Go and the module proxy
go_install_once github.com/goreleaser/goreleaser/v2 "$version" goreleaser
gr="$cache/goreleaser-$version"

"$gr" check
# goreleaser reads the commit from git only when the clone has a remote;
# give it the commit either way.
commit=$(git rev-parse HEAD)
HOIST_COMMIT=$commit "$gr" release --snapshot --clean
ok=0
for p in linux_amd64 linux_arm64 darwin_amd64 darwin_arm64; do
	bin=$(ls -d dist/hoist_${p}*/hoist 2>/dev/null | head -1)
	if [ -z "$bin" ]; then
		echo "release-check: no $p binary in dist/" >&2
		ok=1
	else
		echo "release-check: $p $(du -h "$bin" | cut -f1) $bin"
	fi
done
for a in dist/hoist_*.tar.gz; do
	files=$(tar -tzf "$a" | sort | tr '\n' ' ')
	[ "$files" = "LICENSE README.md hoist " ] || { echo "release-check: $a holds $files" >&2; ok=1; }
	grep -q "  $(basename "$a")\$" dist/checksums.txt || { echo "release-check: $a not in checksums.txt" >&2; ok=1; }
done
echo "release-check: $(ls dist/hoist_*.tar.gz | wc -l) archives, each with hoist, README.md and LICENSE, all in checksums.txt"
out=$(dist/hoist_linux_amd64*/hoist version -o json)
echo "$out" | grep -q "\"commit\": \"$commit\"" || { echo "release-check: linux/amd64 binary does not name commit $commit:" >&2; echo "$out" >&2; ok=1; }
echo "$out" | grep -q '"version": "[0-9].*-snapshot"' || { echo "release-check: linux/amd64 binary has no snapshot version:" >&2; echo "$out" >&2; ok=1; }
echo "release-check: linux/amd64 says $(dist/hoist_linux_amd64*/hoist --version)"
exit $ok
