#!/usr/bin/env bash
# ONNX 1.17 backend tests on the CPU backend: Debian trixie's
# libonnx-testdata 1.17.0-3 (arch all), fetched by tools/fetch-onnx117.sh
# (private apt state, download only, never installed, unpacked into the
# cache once).  Runs its
# node (1288), pytorch-converted, pytorch-operator and simple collections
# (1428 in all) once, default cpu options, 1 thread, against
# tests/conformance/expected-failures-cpu-onnx117.txt.  Listed tests that
# fail in the listed way are skipped, with one NOT RUN ITEM line per reason
# class (opset too new; operator version newer than implemented, per op;
# control flow; sequence/optional types; string tensors; element types;
# ai.onnx.ml; training ops; other unsupported op; known errors; known wrong
# results).  A download failure is NOT RUN (exit 77).
set -uo pipefail
: "${BUILD_DIR:?}"
err=$(mktemp)
top=$(tools/fetch-onnx117.sh 2>"$err")
why=$(cat "$err")
rm -f "$err"
[ -n "$top" ] || { echo "NOT RUN: $why"; exit 77; }
runner=$BUILD_DIR/tests/userspace/rnpu-onnx-conformance
timeout 1200 cmake --build "$BUILD_DIR" --target rnpu-onnx-conformance >/dev/null 2>&1 || {
	echo "cannot build rnpu-onnx-conformance"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
}
list=tests/conformance/expected-failures-cpu-onnx117.txt
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$(date +%s)
timeout 2400 "$runner" --backend cpu --data "$top/node" --data "$top/pytorch-converted" \
	--data "$top/pytorch-operator" --data "$top/simple" --expected "$list" -v >"$out" 2>&1
rc=$?
secs=$(($(date +%s) - start))
# Everything but the per-test lines; the runner's per-kind NOT RUN ITEM
# lines and its RESULT are replaced by this script's.
grep -vE '^(pass        |expected [a-z]+: )' "$out" | sed -E 's/^NOT RUN ITEM: /listed (per kind): /; s/^RESULT: /run result: /'
if [ "$rc" = 77 ]; then
	echo "NOT RUN: $(sed -n 's/^NOT RUN: //p' "$out" | tail -n 1)"
	exit 77
fi
line=$(grep -E '^RESULT: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out" | tail -n 1)
if [ -z "$line" ]; then
	echo "!!! the runner ended without a result (exit $rc)"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
read -r P F S <<<"$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')"
if [ "$rc" != 0 ] && [ "$F" = 0 ]; then F=1; fi
# One NOT RUN ITEM per reason class of the tests that failed as listed
# (classified by the reason the runner reports for this run).
sed -nE 's/^expected ([a-z]+): [^ ]+: (.*)$/\1\t\2/p' "$out" | awk -F'\t' -v list="$list" '
	{
		k = $1; r = $2
		if (k == "error") c = "model or test data rejected (known error)"
		else if (k == "wrong") c = "known wrong results"
		else if (match(r, /opset [0-9]+, newer than the supported [0-9]+/))
			c = "model uses ai.onnx " substr(r, RSTART, RLENGTH)
		else if (match(r, /[A-Za-z]+-[0-9]+ \([^)]*, ai\.onnx opset [0-9]+\) is not implemented/))
			c = "operator version newer than implemented: " substr(r, RSTART, index(substr(r, RSTART), " (") - 1)
		else if (r ~ /control flow/) c = "control flow (If/Loop/Scan) unsupported"
		else if (r ~ /sequence\/map\/optional|\(Sequence[A-Za-z]*\)|\(SplitToSequence\)|\(ConcatFromSequence\)|\(Optional[A-Za-z]*\)/)
			c = "sequence/optional types and ops unsupported"
		else if (r ~ /string tensors/) c = "string tensors unsupported"
		else if (r ~ /element type [0-9]+ is not supported/) c = "element type unsupported (float8, int4)"
		else if (r ~ /ai\.onnx\.ml/) c = "domain ai.onnx.ml unsupported"
		else if (r ~ /ai\.onnx\.preview\.training/) c = "domain ai.onnx.preview.training unsupported"
		else c = "other unsupported op or type"
		n[c]++
	}
	END { for (c in n) printf "NOT RUN ITEM: %d onnx 1.17 tests (cpu): %s, listed in %s\n", n[c], c, list }' | sort -t: -k3
echo "timing: ${secs}s"
echo "RESULT: $P passed, $F failed, $S skipped"
[ "$F" = 0 ]
