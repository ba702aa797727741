#!/usr/bin/env bash
# Fetches the ONNX 1.17 backend test data: Debian trixie's libonnx-testdata
# 1.17.0-3 (arch all), downloaded with tools/apt-private.sh trixie (private
# apt state, download only, never installed; apt checks the .deb against the
# signed trixie Release) and unpacked with dpkg -x into
#   ${RNPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rnpu}/onnx-testdata-1.17.0-3/
# (keyed by the version; nothing is downloaded once unpacked).  Prints the
# data directory (holding node/, pytorch-converted/, pytorch-operator/,
# simple/) on success; on failure prints why on stderr and exits 1.
# Used by suites 21b (conformance) and 12 (importer fuzz seeds).
set -uo pipefail
version=1.17.0-3
cache=${RNPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rnpu}/onnx-testdata-$version
top=$cache/root/usr/share/libonnx-testdata/data
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -f "$cache/unpacked" ] || [ ! -d "$top/node" ]; then
	mkdir -p "$cache" || { echo "cannot create $cache" >&2; exit 1; }
	if ! "$here/apt-private.sh" trixie ensure-lists >"$cache/apt.log" 2>&1; then
		echo "cannot fetch the trixie package lists (see $cache/apt.log)" >&2
		exit 1
	fi
	rm -f "$cache"/libonnx-testdata_*.deb
	if ! (cd "$cache" && "$here/apt-private.sh" trixie download "libonnx-testdata=$version") \
		>>"$cache/apt.log" 2>&1; then
		echo "cannot download libonnx-testdata=$version from trixie (see $cache/apt.log)" >&2
		exit 1
	fi
	deb=$(ls "$cache"/libonnx-testdata_*_all.deb 2>/dev/null | head -n 1)
	rm -rf "$cache/root"
	if [ -z "$deb" ] || ! dpkg -x "$deb" "$cache/root" || [ ! -d "$top/node" ]; then
		echo "cannot unpack libonnx-testdata $version into $cache/root" >&2
		exit 1
	fi
	rm -f "$deb"
	touch "$cache/unpacked"
fi
echo "$top"
