#!/usr/bin/env bash
# Extract Debian's linux-source-6.12 tree once into the cache and print its
# path.  The cache key is the package version, so a new Debian upload gets a
# fresh tree while reruns reuse the old one.
#   tests/kunit/linux-source.sh            -> prints the tree path
# Exits 77 with "NOT RUN: ..." when the package is not installed.
set -euo pipefail

pkg=linux-source-6.12
tarball=/usr/src/$pkg.tar.xz
cache=${RNPU_CACHE:-$HOME/.cache/rnpu}

ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
if [ -z "$ver" ] || [ ! -f "$tarball" ]; then
	echo "NOT RUN: $pkg is not installed (tools/setup-deps.sh kerneltest)" >&2
	exit 77
fi
# kbuild dislikes odd characters in paths; Debian versions carry "~".
dest=$cache/linux-src/${ver//[^A-Za-z0-9._+-]/_}
if [ ! -f "$dest/.extracted" ]; then
	mkdir -p "$cache/linux-src"
	tmp=$(mktemp -d "$cache/linux-src/.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	echo "linux-source: extracting $tarball ($ver) into $dest" >&2
	tar -xJf "$tarball" -C "$tmp" --strip-components=1
	rm -rf "$dest"
	mv "$tmp" "$dest"
	touch "$dest/.extracted"
fi
echo "$dest"
