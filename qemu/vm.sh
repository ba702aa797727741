#!/usr/bin/env bash
# Boot the rnpu virtual board: QEMU (q35, 2 vCPUs, 1 GiB) with the rnpu
# device, Debian's 6.12 kernel and a busybox initramfs carrying the
# project's payload (tests/vm.d, see docs/qemu.md).
#
#   qemu/vm.sh shell         interactive shell on the serial console
#   qemu/vm.sh test          run /tests/*.test, print their output, dmesg
#                            and "@@RNPU-VM-DONE" (tests/suites/40-vm.sh
#                            parses this); console log in $BUILD_DIR/vm/
#   qemu/vm.sh run SCRIPT    run SCRIPT in the guest, then power off
#
# Environment: RNPU_ACCEL=tcg|kvm|auto (default auto: KVM only if a probe
# boot works, it does not on every host), RNPU_VM_TIMEOUT (seconds),
# RNPU_VM_MEM (MiB, 1024), RNPU_VM_SMP (2), RNPU_VM_APPEND (extra kernel
# arguments), RNPU_QEMU_ARGS (extra QEMU arguments).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache_root=${RNPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rnpu}
build_dir=${BUILD_DIR:-$repo/build}
vmdir=$build_dir/vm
log() { echo "qemu/vm.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

mode=${1:-shell}
script=
case "$mode" in
shell) timeout_s=${RNPU_VM_TIMEOUT:-14400} ;;
test) timeout_s=${RNPU_VM_TIMEOUT:-900} ;;
run)
	script=${2:-}
	[ -f "$script" ] || die "usage: qemu/vm.sh run SCRIPT"
	script=$(cd "$(dirname "$script")" && pwd)/$(basename "$script")
	timeout_s=${RNPU_VM_TIMEOUT:-900}
	;;
*) die "usage: qemu/vm.sh shell|test|run SCRIPT" ;;
esac

mkdir -p "$vmdir"
qemu=$("$repo/qemu/build.sh")
kdir=$("$repo/qemu/guest-kernel.sh")
kver=$("$repo/qemu/guest-kernel.sh" --version)
initramfs=$vmdir/initramfs.$$.cpio.gz
trap 'rm -f "$initramfs"' EXIT
"$repo/qemu/guest-initramfs.sh" "$initramfs" $script

base_args=(
	-M q35 -nodefaults -nographic -no-reboot
	-L /usr/share/qemu -L /usr/share/seabios
	-m "${RNPU_VM_MEM:-1024}" -smp "${RNPU_VM_SMP:-2}"
	-kernel "$kdir/boot/vmlinuz-$kver"
	-initrd "$initramfs"
	-device rnpu
)
append="console=ttyS0 panic=-1 quiet loglevel=4"

# /dev/kvm may exist and still be unable to run a guest (QEMU aborts or
# hangs), so KVM is used only after a bounded probe boot succeeded on this
# host with this QEMU; the verdict is cached.
pick_accel() {
	local want=${RNPU_ACCEL:-auto} stamp out
	case "$want" in
	tcg|kvm) echo "$want"; return ;;
	auto) ;;
	*) die "RNPU_ACCEL must be tcg, kvm or auto" ;;
	esac
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo tcg
		return
	fi
	stamp=$cache_root/vm/kvm-probe-$(uname -r)-$(hostname)-$(basename "$(dirname "$qemu")")
	if [ ! -f "$stamp" ]; then
		mkdir -p "$(dirname "$stamp")"
		log "probing KVM (20 s boot)"
		out=$(timeout -k 5 20 "$qemu" "${base_args[@]}" -serial stdio -accel kvm \
			-append "$append rnpu.mode=probe" </dev/null 2>&1 || true)
		if grep -q '@@RNPU-PROBE-OK' <<<"$out"; then
			echo kvm > "$stamp"
		else
			echo tcg > "$stamp"
		fi
	fi
	cat "$stamp"
}
accel=$(pick_accel)
log "accelerator: $accel (QEMU $qemu, kernel $kver, timeout ${timeout_s}s)"

serial=stdio
# The monitor mux gives Ctrl-A x and passes Ctrl-C to the guest.
[ "$mode" = shell ] && serial=mon:stdio
cmd=("$qemu" "${base_args[@]}" -serial "$serial" -accel "$accel"
	-append "$append rnpu.mode=$mode ${RNPU_VM_APPEND:-}")
# shellcheck disable=SC2206
cmd+=(${RNPU_QEMU_ARGS:-})

if [ "$mode" = shell ]; then
	log "Ctrl-A x quits QEMU"
	timeout --foreground -k 5 "$timeout_s" "${cmd[@]}"
	exit
fi
set +e
timeout -k 5 "$timeout_s" "${cmd[@]}" </dev/null 2>&1 | tee "$vmdir/console-$mode.$$.log"
rc=${PIPESTATUS[0]}
set -e
mv -f "$vmdir/console-$mode.$$.log" "$vmdir/console-$mode.log"
[ $rc = 124 ] && log "QEMU timed out after ${timeout_s}s"
exit $rc
