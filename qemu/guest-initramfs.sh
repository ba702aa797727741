#!/usr/bin/env bash
# Build the guest initramfs (cpio newc, gzip):
#   qemu/guest-initramfs.sh OUT.cpio.gz [RUN-SCRIPT]
# Contents: busybox-static and its applet links, qemu/guest/init, the stock
# modules of qemu/guest/modules.list with their dependencies, whatever the
# payload scripts tests/vm.d/*.prep put into the root, tests/vm.d/*.test
# as /tests/*.test, and RUN-SCRIPT (if given) as /run.sh.
#
# Each .prep runs as `bash X.prep <guest-root>` from the repository root,
# in name order, with RNPU_GUEST_KVER (guest kernel release) and
# RNPU_GUEST_KDIR (its kbuild headers) in the environment.  See docs/qemu.md.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$1
run_script=${2:-}
log() { echo "qemu/guest-initramfs.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

kdir=$("$repo/qemu/guest-kernel.sh")
ver=$("$repo/qemu/guest-kernel.sh" --version)
busybox=/bin/busybox
[ -x "$busybox" ] || die "no $busybox (install busybox-static)"
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$busybox" 2>&1 | grep -q 'not a dynamic' ||
	die "$busybox is not static (install busybox-static)"

# A private root per run: concurrent runs in one build tree must not collide.
mkdir -p "$(dirname "$out")"
root=$(mktemp -d "$(dirname "$out")/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/rnpu,proc,sys,dev,tmp,run,root,tests,lib/modules/extra}

# busybox and its applets.
cp "$busybox" "$root/bin/busybox"
for a in $("$busybox" --list-full); do
	[ -e "$root/$a" ] || ln -s /bin/busybox "$root/$a"
done
cp "$repo/qemu/guest/init" "$root/init"
chmod 755 "$root/init"
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
printf 'PS1="rnpu-vm:\\w# "\n' > "$root/etc/profile"

# Stock modules and everything they depend on, decompressed so busybox's
# modprobe can load them.
mods=$kdir/lib/modules/$ver
gmods=$root/lib/modules/$ver
mkdir -p "$gmods"
grep -v '^#' "$repo/qemu/guest/modules.list" | sed '/^$/d' > "$root/etc/rnpu/modules"
declare -A want=()
while read -r m; do
	line=$(grep -E "(^|/)${m}\\.ko(\\.xz)?:" "$mods/modules.dep" | head -n 1) ||
		die "module $m is not in $ver's modules.dep"
	for f in ${line/:/ }; do want[$f]=1; done
done < "$root/etc/rnpu/modules"
for f in "${!want[@]}"; do
	mkdir -p "$gmods/$(dirname "$f")"
	case "$f" in
	*.xz) xz -dc "$mods/$f" > "$gmods/${f%.xz}" ;;
	*) cp "$mods/$f" "$gmods/$f" ;;
	esac
done
cp "$mods"/modules.{builtin,builtin.modinfo,order} "$gmods/"
depmod -b "$root" "$ver"

# The project's payload.
export RNPU_GUEST_KVER=$ver
export RNPU_GUEST_KDIR=/usr/src/linux-headers-$ver
shopt -s nullglob
for p in "$repo"/tests/vm.d/*.prep; do
	log "payload: $(basename "$p")"
	(cd "$repo" && bash "$p" "$root") || die "payload script $p failed"
done
for t in "$repo"/tests/vm.d/*.test; do
	install -m 755 "$t" "$root/tests/$(basename "$t")"
done
if [ -n "$run_script" ]; then
	install -m 755 "$run_script" "$root/run.sh"
fi

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
log "$(du -h "$out" | cut -f1) initramfs, kernel $ver"
