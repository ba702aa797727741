#!/usr/bin/env bash
# Put the rnpu KUnit scratch directory into an extracted linux-source tree:
#   tests/kunit/prepare-tree.sh <linux-tree>
# Copies the driver's pure-logic files (no hardware access, see
# docs/kernel-testing.md), the headers they need and the KUnit suites into
# <tree>/drivers/accel/rnpu_kunit/, and hooks that directory into
# drivers/Kconfig and drivers/Makefile (idempotent).  Files are only
# rewritten when their content changed, so kbuild's rebuilds stay small.
set -euo pipefail

tree=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
dest=$tree/drivers/accel/rnpu_kunit

# Driver files under test: the KUnit Makefile names the matching objects.
driver_files=(
	kernel/rnpu_mmu_pt.c kernel/rnpu_mmu_pt.h
	kernel/rnpu_uapi_check.c kernel/rnpu_uapi_check.h
	hw/include/rnpu_regs.h
	include/uapi/drm/rnpu_accel.h
)

install_file() {	# src dst: copy only when different
	if ! cmp -s "$1" "$2"; then
		cp "$1" "$2"
	fi
}

for f in "${driver_files[@]}"; do
	if [ ! -f "$root/$f" ]; then
		echo "prepare-tree: missing $f (driver not in this checkout?)" >&2
		exit 2
	fi
done

mkdir -p "$dest"
for f in "${driver_files[@]}"; do
	install_file "$root/$f" "$dest/$(basename "$f")"
done
for f in "$root"/tests/kunit/rnpu_kunit/*.c "$root"/tests/kunit/rnpu_kunit/Kconfig \
	 "$root"/tests/kunit/rnpu_kunit/Makefile "$root"/tests/kunit/rnpu_kunit/.kunitconfig; do
	install_file "$f" "$dest/$(basename "$f")"
done
# Drop files that are no longer part of the suite.
for f in "$dest"/*.c "$dest"/*.h; do
	b=$(basename "$f")
	[ -e "$root/tests/kunit/rnpu_kunit/$b" ] && continue
	keep=0
	for d in "${driver_files[@]}"; do [ "$(basename "$d")" = "$b" ] && keep=1; done
	[ $keep = 1 ] || rm -f "$f"
done

if ! grep -q 'drivers/accel/rnpu_kunit/Kconfig' "$tree/drivers/Kconfig"; then
	# Insert before the final endmenu.
	tac "$tree/drivers/Kconfig" |
		awk 'done == 0 && /^endmenu/ { print; print "source \"drivers/accel/rnpu_kunit/Kconfig\""; done = 1; next } { print }' |
		tac > "$tree/drivers/Kconfig.rnpu"
	mv "$tree/drivers/Kconfig.rnpu" "$tree/drivers/Kconfig"
fi
if ! grep -q 'accel/rnpu_kunit/' "$tree/drivers/Makefile"; then
	echo 'obj-$(CONFIG_RNPU_KUNIT_TEST)	+= accel/rnpu_kunit/' >> "$tree/drivers/Makefile"
fi
echo "$dest"
