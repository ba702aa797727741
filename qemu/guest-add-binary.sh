#!/usr/bin/env bash
# Install dynamically linked host binaries into a guest root with every
# shared library they load (the guest is busybox-only, with no libc):
#   qemu/guest-add-binary.sh <guest-root> <dest-dir-in-guest> BINARY...
# Libraries keep their host paths (ldd's resolution), so the host's
# dynamic loader, copied the same way, finds them in the guest unchanged.
set -euo pipefail
root=$1
dest=$2
shift 2
declare -A seen=()
for bin in "$@"; do
	[ -x "$bin" ] || { echo "guest-add-binary: $bin is not an executable" >&2; exit 1; }
	install -D -m 755 "$bin" "$root/$dest/$(basename "$bin")"
	# "libx.so => /path (0x..)" and the loader's "/lib64/ld-linux... (0x..)"
	while read -r lib; do
		[ -n "$lib" ] && [ -z "${seen[$lib]:-}" ] || continue
		seen[$lib]=1
		real=$(readlink -f "$lib")
		install -D -m 755 "$real" "$root$lib"
	done < <(ldd "$bin" | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}')
done
