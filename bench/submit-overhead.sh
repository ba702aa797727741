#!/usr/bin/env bash
# Submit overhead on the virtual board: the median time from SUBMIT of a
# no-op job (one NOP) to its out-fence signalling, against the median bare
# ioctl round trip (GET_PARAM), and their ratio, measured by
# tests/kselftest/rnpu/bench/submit_overhead.c in the test guest.
#   bench/submit-overhead.sh [RUNS]        (default 1000)
# Prints the guest's figures, the accelerator QEMU used and the host CPU.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export BUILD_DIR=${BUILD_DIR:-$root/build}
runs=${1:-1000}
case "$runs" in
'' | *[!0-9]* | 0) echo "usage: bench/submit-overhead.sh [RUNS > 0]" >&2; exit 2 ;;
esac
script=$(mktemp)
trap 'rm -f "$script"' EXIT
cat > "$script" <<EOS
#!/bin/sh
/usr/lib/rnpu-bench/rnpu_submit_overhead --runs $runs
EOS
out=$(RNPU_VM_TIMEOUT=1200 timeout -k 10 1300 qemu/vm.sh run "$script" 2>&1) || {
	echo "$out" | tail -n 20
	echo "submit-overhead: the guest run failed" >&2
	exit 1
}
echo "$out" | grep -E '^qemu/vm.sh: accelerator' || true
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "$out" | tr -d '\r' | grep -E '^(runs|get_param_median_ns|submit_to_signal_[a-z_]*median_ns|ratio):' ||
	{ echo "$out" | tail -n 20; exit 1; }
