#!/usr/bin/env bash
# Build qemu-system-x86_64 with the rnpu device from Debian's QEMU source
# (bookworm-backports) and print the binary's path as the last line of
# stdout.  Progress goes to stderr.
#
# Cache (outside the clone), ${RNPU_CACHE:-~/.cache/rnpu}/qemu/:
#   dl/                 Debian's orig tarball
#   src-<ver>/          extracted, patched tree (reused: rebuilds are incremental)
#   build-<ver>/        meson/ninja build directory
#   <hash>/qemu-system-x86_64
# <hash> covers the device sources, hw/model, hw/include, these scripts and
# the QEMU version, so the binary is rebuilt only when one of them changes.
#
# Usage: qemu/build.sh [--force]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache_root=${RNPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rnpu}
cache=$cache_root/qemu
# The golden model's sources; overridable to try an out-of-tree model.
export RNPU_MODEL_DIR=${RNPU_MODEL_DIR:-$root/hw/model}
force=0
[ "${1:-}" = --force ] && force=1

log() { echo "qemu/build.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

configure_args=(
	--target-list=x86_64-softmmu
	--without-default-features
	--enable-tcg
	--enable-fdt=system
	--disable-docs
	--disable-tools
	--disable-user
	--disable-install-blobs
	--disable-debug-info
	--without-default-devices
	--with-devices-x86_64=rnpu
	--python=/usr/bin/python3
)

compgen -G "$RNPU_MODEL_DIR/*.c" > /dev/null ||
	die "no golden model sources in $RNPU_MODEL_DIR (the device executes jobs with it)"

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

# ---- resolve the QEMU source version from the backports Sources index ------
bp_list=$cache_root/apt/backports.list
mkdir -p "$(dirname "$bp_list")"
"$root/tools/apt-backports.sh" sources > "$bp_list"

# Print "version directory sha256 size file" of the newest qemu source
# package whose orig tarball is listed.
showsrc() {
	apt-cache -o "Dir::Etc::SourceList=$bp_list" showsrc qemu 2>/dev/null |
	awk '
		/^Package: /	{ pkg = $2 }
		/^Version: /	{ ver = $2 }
		/^Directory: /	{ dir = $2 }
		/^Checksums-Sha256:/ { insha = 1; next }
		/^[^ ]/		{ insha = 0 }
		insha && $3 ~ /\.orig\.tar\.xz$/ { sha = $1; size = $2; file = $3 }
		/^$/ {
			if (pkg == "qemu" && file != "") print ver, dir, sha, size, file
			pkg = ""; ver = ""; dir = ""; file = ""
		}
		END { if (pkg == "qemu" && file != "") print ver, dir, sha, size, file }
	'
}
newest() {
	local best="" line
	while read -r line; do
		[ -n "$line" ] || continue
		if [ -z "$best" ] || dpkg --compare-versions "${line%% *}" gt "${best%% *}"; then
			best=$line
		fi
	done
	echo "$best"
}

src_info=$(showsrc | newest)
if [ -z "$src_info" ]; then
	log "no qemu source package in the apt lists; updating bookworm-backports"
	if [ "$(id -u)" = 0 ]; then
		"$root/tools/apt-backports.sh" update -q >&2
	else
		sudo "$root/tools/apt-backports.sh" update -q >&2
	fi
	src_info=$(showsrc | newest)
fi
[ -n "$src_info" ] || die "apt-cache showsrc qemu found no source package"
read -r deb_ver pool_dir orig_sha orig_size orig_file <<<"$src_info"
up_ver=${deb_ver#*:}
up_ver=${up_ver%-*}
case "$up_ver" in
10.*) ;;
*) die "expected QEMU 10.x from bookworm-backports, found $deb_ver" ;;
esac

# ---- cache key ---------------------------------------------------------------
key_inputs() {
	echo "qemu $deb_ver"
	echo "configure ${configure_args[*]}"
	(cd "$root" && for f in qemu/build.sh qemu/patch-tree.sh qemu/device/*.[ch] \
		"$RNPU_MODEL_DIR"/*.[ch] hw/include/*.h; do
		[ -f "$f" ] && sha256sum "$f"
	done)
}
hash=$(key_inputs | sha256sum | cut -c1-16)
out=$cache/$hash/qemu-system-x86_64
if [ $force = 0 ] && [ -x "$out" ]; then
	log "cached: $out"
	echo "$out"
	exit 0
fi

# ---- fetch the orig tarball --------------------------------------------------
dl=$cache/dl
mkdir -p "$dl"
tarball=$dl/$orig_file
tarball_ok() { [ -f "$tarball" ] && echo "$orig_sha  $tarball" | sha256sum -c --status; }
if ! tarball_ok; then
	log "fetching $orig_file ($deb_ver)"
	# apt-get source fetches the orig tarball, but backports' .dsc can be
	# gone from the pool (404), so its failure alone is not fatal.
	(cd "$dl" && "$root/tools/apt-backports.sh" source --download-only -q "qemu=$deb_ver" >&2) ||
		log "apt-get source failed; checking what it fetched"
	if ! tarball_ok; then
		rm -f "$tarball"
		url=http://deb.debian.org/debian/$pool_dir/$orig_file
		log "fetching $url"
		curl -fsSL --retry 3 -o "$tarball.part" "$url" || die "could not download $url"
		mv "$tarball.part" "$tarball"
	fi
	tarball_ok || die "$orig_file: sha256 mismatch (expected $orig_sha)"
fi

# ---- extract and patch ---------------------------------------------------------
src=$cache/src-$up_ver
if [ ! -f "$src/.rnpu-extracted" ]; then
	log "extracting $orig_file"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	# The +ds tarball ships no edk2 firmware blobs: never try to unpack them.
	sed -i 's/^\(\s*unpack_edk2_blobs = \)bzip2\.found()/\1false/' "$src.tmp/meson.build"
	grep -q 'unpack_edk2_blobs = false$' "$src.tmp/meson.build" ||
		die "could not disable edk2 blob unpacking in meson.build"
	touch "$src.tmp/.rnpu-extracted"
	mv "$src.tmp" "$src"
fi
"$root/qemu/patch-tree.sh" "$root" "$src"

# ---- configure and build -------------------------------------------------------
build=$cache/build-$up_ver
if [ ! -f "$build/build.ninja" ] || [ "$(cat "$build/.rnpu-configure" 2>/dev/null)" != "${configure_args[*]}" ]; then
	log "configuring QEMU $up_ver"
	rm -rf "$build"
	mkdir -p "$build"
	(cd "$build" && "$src/configure" "${configure_args[@]}" >&2) ||
		die "configure failed"
	echo "${configure_args[*]}" > "$build/.rnpu-configure"
fi
jobs=$(nproc)
log "building qemu-system-x86_64 (ninja -j$jobs, $build)"
start=$(date +%s)
ninja -C "$build" -j"$jobs" qemu-system-x86_64 >&2 || die "ninja failed"
log "built in $(( $(date +%s) - start ))s"

mkdir -p "$cache/$hash"
cp "$build/qemu-system-x86_64" "$out.tmp"
mv "$out.tmp" "$out"
# Keep the five most recent binaries.
find "$cache" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended \
	-regex '.*/[0-9a-f]{16}' -printf '%T@ %p\n' |
	sort -rn | tail -n +6 | cut -d' ' -f2- | xargs -r rm -rf
echo "$out"
