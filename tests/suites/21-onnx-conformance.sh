#!/usr/bin/env bash
# ONNX backend tests from Debian's libonnx-testdata on the CPU backend: the
# 932 node tests plus the pytorch-converted, pytorch-operator and simple
# collections (1072 in all), in three runs:
#   cpu                      the default (XNNPACK fast path, fusion), 1 thread
#   cpu, reference kernels   Options::reference_kernels (no XNNPACK, no fast
#                            path, no graph rewrites), 1 thread
#   cpu, 2 threads           the default at 2 threads
# then a self-check of the runner's classification (an `unsupported` entry
# that crashes, hangs or gives wrong numbers must fail).
# Every run uses the one list tests/conformance/expected-failures-cpu.txt
# ("<test>  <unsupported|error|wrong>: <reason>"); a listed test must fail in
# exactly the listed way, a crash always fails.  Listed tests are not passes:
# each run counts them as skipped with one NOT RUN ITEM line per kind.  The
# last line sums the runs: RESULT: <p> passed, <f> failed, <s> skipped.
set -uo pipefail
: "${BUILD_DIR:?}"
data=/usr/share/libonnx-testdata/data/node
if [ ! -d "$data" ]; then
	tools/setup-deps.sh userspace >/dev/null 2>&1 || true
fi
if [ ! -d "$data" ]; then
	echo "NOT RUN: $data missing (package libonnx-testdata could not be installed)"
	exit 77
fi
runner=$BUILD_DIR/tests/userspace/rnpu-onnx-conformance
timeout 1200 cmake --build "$BUILD_DIR" --target rnpu-onnx-conformance >/dev/null 2>&1 || {
	echo "cannot build rnpu-onnx-conformance"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
}
top=$(dirname "$data")
list=tests/conformance/expected-failures-cpu.txt
common=(--backend cpu --data "$data" --data "$top/pytorch-converted" --data "$top/pytorch-operator"
	--data "$top/simple" --expected "$list")
P=0 F=0 S=0
timings=()

# run LABEL ARGS...: one runner invocation; its RESULT line is renamed so
# that only this script's total is a RESULT line.
run() {
	local label=$1
	shift
	local out start rc secs line
	out=$(mktemp)
	start=$(date +%s)
	echo "=== ONNX conformance run: $label"
	timeout 2400 "$runner" "${common[@]}" "$@" 2>&1 |
		sed -u "s/^RESULT: /run result ($label): /" | tee "$out"
	rc=${PIPESTATUS[0]}
	secs=$(($(date +%s) - start))
	timings+=("$label: ${secs}s")
	if [ "$rc" = 77 ]; then
		echo "NOT RUN ITEM: 1 onnx conformance run ($label): $(sed -n 's/^NOT RUN: //p' "$out" | tail -n 1)"
		S=$((S + 1))
		rm -f "$out"
		return
	fi
	line=$(grep -E "^run result \($label\): [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$" "$out" | tail -n 1)
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "!!! run '$label' ended without a result (exit $rc): counted as 1 failure"
		F=$((F + 1))
		return
	fi
	read -r p f s <<<"$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')"
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	P=$((P + p)) F=$((F + f)) S=$((S + s))
	echo "=== $label: $p passed, $f failed, $s skipped in ${secs}s"
}

run "cpu"
run "cpu, reference kernels" --reference
run "cpu, 2 threads" --threads 2

# Self-check: test_adagrad_multiple is listed `unsupported`; made to crash,
# hang or report wrong numbers, it must be counted failed (exit 1, 1 failed).
for inject in crash hang wrong; do
	res=$("$runner" --backend cpu --data "$data" --expected "$list" --filter test_adagrad_multiple \
		--timeout 2 --inject "$inject" 2>&1)
	rc=$?
	if [ "$rc" = 1 ] && echo "$res" | grep -qx 'RESULT: 0 passed, 1 failed, 0 skipped'; then
		P=$((P + 1))
	else
		echo "!!! runner self-check FAILED: a listed-unsupported test made to $inject was not a failure (exit $rc):"
		echo "$res" | sed 's/^/    /'
		F=$((F + 1))
	fi
done
echo "runner self-check: listed-unsupported test that crashes / hangs / is wrong counts as failed"

echo "timings: ${timings[*]}"
echo "RESULT: $P passed, $F failed, $S skipped"
[ "$F" = 0 ]
