# Sourced by hack's scripts, run from the repository's root.

# cache is where the scripts keep the tools they build: $HOIST_CACHE/bin
# (default ~/.cache/hoist/bin).
cache=${HOIST_CACHE:-${HOME:-/root}/.cache/hoist}/bin

# go_install_once PACKAGE VERSION NAME builds the Go command PACKAGE at
# VERSION from the Go module proxy to $cache/NAME-VERSION, unless it is
# there already.
go_install_once() {
	local pkg=$1 version=$2 name=$3 bin tmp
	[ -x "$cache/$name-$version" ] && return 0
	echo "$(basename "$0" .sh): building $name $version from the Go module proxy (once)"
	mkdir -p "$cache"
	# go install names the binary after the package, less a /vN suffix.
	bin=${pkg##*/}
	if [[ $bin =~ ^v[0-9]+$ ]]; then
		bin=$(basename "$(dirname "$pkg")")
	fi
	tmp=$(mktemp -d)
	GOBIN="$tmp" GOFLAGS=-mod=mod go install "$pkg@$version"
	mv "$tmp/$bin" "$cache/$name-$version"
	rm -rf "$tmp"
}
