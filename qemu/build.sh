#!/usr/bin/env bash
# Build qemu-system-x86_64 with the rnpu device from Debian's QEMU source
# (bookworm-backports) and print the binary's path as the last line of
# stdout.  Progress goes to stderr.
#
# Cache (outside the clone), ${RNPU_CACHE:-~/.cache/rnpu}/qemu/:
#   source              "version pool-dir sha256 size orig-tarball" of the
#                       QEMU source package, resolved once through the
#                       private backports lists (tools/apt-private.sh)
#   dl/                 Debian's orig tarball
#   src-<ver>/          extracted, patched tree (reused: rebuilds are incremental)
#   build-<ver>/        meson/ninja build directory
#   <hash>/qemu-system-x86_64
# <hash> covers the device sources, hw/model, hw/include, these scripts and
# the recorded QEMU source, so the binary is rebuilt only when one of them
# changes.  With a recorded source no apt command runs at all: a cached
# binary comes back at once whatever happened to the apt lists since.
#
# Usage: qemu/build.sh [--force] [--refresh]
#   --force     rebuild even when the binary for these inputs is cached
#   --refresh   update the private backports lists and resolve the QEMU
#               source again (moves to a newer backports QEMU if any)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache_root=${RNPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rnpu}
cache=$cache_root/qemu
# The golden model's sources; overridable to try an out-of-tree model.
export RNPU_MODEL_DIR=${RNPU_MODEL_DIR:-$root/hw/model}
force=0
refresh=0
for a in "$@"; do
	case "$a" in
	--force) force=1 ;;
	--refresh) refresh=1 ;;
	*) echo "usage: qemu/build.sh [--force] [--refresh]" >&2; exit 2 ;;
	esac
done

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

# ---- the QEMU source: recorded in the cache, resolved through apt once -----
record=$cache/source
apt_bp() { "$root/tools/apt-private.sh" backports "$@"; }

# Print "version directory sha256 size file" of the newest qemu source
# package whose orig tarball is listed in the private backports lists.
# apt-cache exits 100 when it knows no qemu source: under pipefail and
# set -e that would end the script silently, so its status is dropped.
showsrc() {
	{ apt_bp apt-cache showsrc qemu 2>/dev/null || true; } |
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

src_info=""
if [ $refresh = 0 ] && [ -s "$record" ]; then
	src_info=$(head -n 1 "$record")
else
	if [ $refresh = 1 ]; then
		log "refreshing the private bookworm-backports lists"
		apt_bp update -q >&2 || die "apt-get update (private backports state) failed"
	else
		apt_bp ensure-lists || die "could not fetch the private bookworm-backports lists"
	fi
	src_info=$(showsrc | newest)
	if [ -z "$src_info" ] && [ $refresh = 0 ]; then
		log "no qemu source package in the private lists; updating them"
		apt_bp update -q >&2 || die "apt-get update (private backports state) failed"
		src_info=$(showsrc | newest)
	fi
	[ -n "$src_info" ] || die "apt-cache showsrc qemu found no source package in bookworm-backports"
fi
read -r deb_ver pool_dir orig_sha orig_size orig_file <<<"$src_info"
[ -n "${orig_file:-}" ] || die "$record: unreadable ('$src_info'); rerun with --refresh"
up_ver=${deb_ver#*:}
up_ver=${up_ver%-*}
case "$up_ver" in
10.*) ;;
*) die "expected QEMU 10.x from bookworm-backports, found $deb_ver" ;;
esac
if [ "$(cat "$record" 2>/dev/null)" != "$src_info" ]; then
	echo "$src_info" > "$record.tmp"
	mv "$record.tmp" "$record"
	log "QEMU source: $deb_ver ($orig_file), recorded in $record"
fi

# ---- cache key ---------------------------------------------------------------
key_inputs() {
	echo "qemu $deb_ver $orig_sha $orig_size $orig_file"
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

# ---- fetch the orig tarball (when the tree is not extracted yet) and extract --
dl=$cache/dl
tarball=$dl/$orig_file
tarball_ok() { [ -f "$tarball" ] && echo "$orig_sha  $tarball" | sha256sum -c --status; }
fetch_tarball() {
	mkdir -p "$dl"
	tarball_ok && return 0
	log "fetching $orig_file ($deb_ver)"
	# apt-get source fetches the orig tarball, but backports' .dsc can be
	# gone from the pool (404), so its failure alone is not fatal.
	(cd "$dl" && apt_bp source --download-only -q "qemu=$deb_ver" >&2) ||
		log "apt-get source failed; checking what it fetched"
	if ! tarball_ok; then
		rm -f "$tarball"
		url=http://deb.debian.org/debian/$pool_dir/$orig_file
		log "fetching $url"
		curl -fsSL --retry 3 -o "$tarball.part" "$url" || die "could not download $url"
		mv "$tarball.part" "$tarball"
	fi
	tarball_ok || die "$orig_file: sha256 mismatch (expected $orig_sha)"
}

src=$cache/src-$up_ver
if [ ! -f "$src/.rnpu-extracted" ]; then
	fetch_tarball
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
