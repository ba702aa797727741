#!/usr/bin/env bash
# Fuzzes the ONNX importer (plus passes, partitioner and cpu compile) with
# libFuzzer under ASan/UBSan for FUZZ_SECONDS (default 60), seeded with
# the libonnx-testdata models (bookworm's ONNX 1.12 and trixie's 1.17).  Builds in ${BUILD_DIR}-fuzz-importer with
# clang.  RESULT: 1 passed when no crash, leak, timeout, uncaught exception
# or oversized allocation was found, plus one per crash-reproducer file in
# tests/fuzz/importer/regressions/ that still runs clean.  Without seed
# models the fuzzing is NOT RUN (1 skipped), never a pass; a run that
# executed no input is a failure.
set -uo pipefail
: "${BUILD_DIR:?}"
# shellcheck source=tests/lib/clang-fuzz.sh
. tests/lib/clang-fuzz.sh
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
fuzz_pick_clang "$probe"
data=/usr/share/libonnx-testdata/data
if [ ! -d "$data" ]; then
	tools/setup-deps.sh userspace >/dev/null 2>&1 || true
fi

if ! fuzz_build "$probe" rnpu_fuzz_importer; then
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
fuzzer=$fb/tests/fuzz/importer/rnpu_fuzz_importer

pass=0
fail=0
skip=0
# Regression inputs: each must now be rejected cleanly.
for f in tests/fuzz/importer/regressions/*; do
	[ -f "$f" ] || continue
	if timeout 60 "$fuzzer" -rss_limit_mb=2048 -malloc_limit_mb=1024 "$f" >"$probe/r.log" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL regression $f"
		tail -n 30 "$probe/r.log"
	fi
done
echo "regression inputs: $pass clean, $fail failing"

# Seeds: every model of the ONNX test collections (small, valid, varied).
corpus=$fb/corpus
seeds=$probe/seeds
mkdir -p "$corpus" "$seeds"
n=0
for m in "$data"/*/*/model.onnx; do
	[ -f "$m" ] || continue
	n=$((n + 1))
	cp "$m" "$seeds/$n.onnx"
done
# Seeds at opsets 18-22 and with control flow, sequences and the newer
# element types: the ONNX 1.17 collections (tools/fetch-onnx117.sh), only
# the models that are not byte-identical to a 1.12 one.
n12=$n
err117=$probe/fetch117.log
if top117=$(tools/fetch-onnx117.sh 2>"$err117"); then
	declare -A have=()
	for f in "$seeds"/*.onnx; do [ -f "$f" ] && have[$(md5sum <"$f" | cut -c1-32)]=1; done
	for m in "$top117"/*/*/model.onnx; do
		[ -f "$m" ] || continue
		h=$(md5sum <"$m" | cut -c1-32)
		[ -n "${have[$h]:-}" ] && continue
		have[$h]=1
		n=$((n + 1))
		cp "$m" "$seeds/$n.onnx"
	done
	echo "seeds: $((n - n12)) more from ONNX 1.17 ($top117)"
else
	echo "NOT RUN ITEM: 1 importer fuzz seeds from ONNX 1.17 (opsets 18-22, control flow): $(cat "$err117")"
	skip=$((skip + 1))
fi
if [ "$n12" = 0 ]; then
	echo "NOT RUN ITEM: 1 importer fuzzing: no seed models in $data (libonnx-testdata missing)"
	skip=$((skip + 1))
else
	echo "seeds: $n models ($n12 from $data); corpus kept in $corpus"
	secs=${FUZZ_SECONDS:-60}
	artifacts=$probe/artifacts/
	mkdir -p "$artifacts"
	# -timeout: one input must not take 10 s (hangs are bugs too);
	# -malloc_limit_mb: "huge allocations" are bugs (docs/userspace.md).
	(cd "$probe" && timeout $((secs + 120)) "$fuzzer" "$corpus" "$seeds" -max_total_time="$secs" \
		-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=262144 \
		-artifact_prefix="$artifacts" -print_final_stats=1 >"$probe/fuzz.log" 2>&1)
	rc=$?
	grep -E '^(#[0-9]+ +(INITED|DONE)|stat::number_of_executed_units|stat::peak_rss_mb)' "$probe/fuzz.log"
	units=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$probe/fuzz.log" | tail -n 1)
	if [ $rc = 0 ] && [ -z "$(ls -A "$artifacts")" ] && [ "${units:-0}" -gt 0 ]; then
		pass=$((pass + 1))
		echo "fuzzing ${secs}s: no crash ($units inputs)"
	elif [ $rc = 0 ] && [ -z "$(ls -A "$artifacts")" ]; then
		fail=$((fail + 1))
		echo "fuzzing FAILED: the fuzzer executed no input"
	else
		fail=$((fail + 1))
		echo "fuzzing FAILED (exit $rc):"
		fuzz_report "$probe/fuzz.log" "$artifacts"
	fi
fi
echo "RESULT: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
