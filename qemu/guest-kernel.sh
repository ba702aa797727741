#!/usr/bin/env bash
# Fetch Debian's 6.12 kernel image matching the installed
# linux-headers-6.12-amd64 (so modules built against those headers load in
# the guest) and unpack it into the cache.  Prints the unpacked directory,
# which holds boot/vmlinuz-<ver> and lib/modules/<ver>/ with a modules.dep.
#
#   qemu/guest-kernel.sh            print the directory (fetching if needed)
#   qemu/guest-kernel.sh --version  print <ver> only
#
# The version is read from /usr/src/linux-headers-*-amd64, never pinned:
# bookworm-security drops superseded versions from the archive.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache_root=${RNPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rnpu}
log() { echo "qemu/guest-kernel.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

kver() {
	local d
	d=$(ls -d /usr/src/linux-headers-6.12*-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] || die "no /usr/src/linux-headers-6.12*-amd64 (install linux-headers-6.12-amd64: tools/setup-deps.sh qemu)"
	basename "$d" | sed 's/^linux-headers-//'
}

ver=$(kver)
if [ "${1:-}" = --version ]; then
	echo "$ver"
	exit 0
fi

dir=$cache_root/guest/linux-$ver
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache_root/guest"
exec 9>"$cache_root/guest/.kernel-lock"
flock 9
if [ ! -f "$dir/.complete" ]; then
	pkg=linux-image-$ver-unsigned
	tmp=$(mktemp -d "$cache_root/guest/dl.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	log "downloading $pkg"
	# The system's lists first; when they lack it (stale, or none), a private
	# copy of the system's sources with its own lists (tools/apt-private.sh
	# system): no root needed and the system's lists are left alone.
	priv() { "$root/tools/apt-private.sh" system "$@"; }
	(cd "$tmp" && apt-get download -q "$pkg" >&2) ||
		(cd "$tmp" && priv ensure-lists && priv download -q "$pkg" >&2) ||
		(cd "$tmp" && priv update -q >&2 && priv download -q "$pkg" >&2) ||
		die "apt-get download $pkg failed"
	rm -rf "$dir"
	mkdir -p "$dir"
	dpkg-deb -x "$tmp"/"$pkg"_*.deb "$dir"
	[ -f "$dir/boot/vmlinuz-$ver" ] || die "$pkg has no boot/vmlinuz-$ver"
	# The package ships no modules.dep (it is made at install time).
	depmod -b "$dir" "$ver"
	touch "$dir/.complete"
	log "unpacked into $dir"
fi
echo "$dir"
