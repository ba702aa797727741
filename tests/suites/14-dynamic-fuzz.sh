#!/usr/bin/env bash
# Fuzzes what a caller binds at run time (tests/fuzz/dynamic): models with
# dynamic dims run on the cpu backend with shapes and values from the fuzz
# input, under ASan/UBSan, for FUZZ_SECONDS (default 60).  Shares the clang
# tree of 12-importer-fuzz.sh (${BUILD_DIR}-fuzz-importer), configuring it
# when absent.  RESULT: 1 passed when no crash, sanitizer report, timeout,
# uncaught exception or oversized allocation was found; a run that executed
# no input is a failure.
set -uo pipefail
: "${BUILD_DIR:?}"
# shellcheck source=tests/lib/clang-fuzz.sh
. tests/lib/clang-fuzz.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fuzz_pick_clang "$tmp"
failed() {
	echo "$1"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
}
fuzz_build "$tmp" rnpu_fuzz_dynamic || failed "the fuzz build failed"
fuzzer=$fb/tests/fuzz/dynamic/rnpu_fuzz_dynamic
corpus=$fb/corpus-dynamic
artifacts=$tmp/artifacts/
mkdir -p "$corpus" "$artifacts"
secs=${FUZZ_SECONDS:-60}
# -malloc_limit_mb: every tensor here is small, so a big allocation is a
# size taken from a hostile number (docs/userspace.md, "Untrusted inputs").
(cd "$tmp" && timeout $((secs + 120)) "$fuzzer" "$corpus" -max_total_time="$secs" -timeout=10 \
	-rss_limit_mb=2048 -malloc_limit_mb=256 -max_len=4096 -artifact_prefix="$artifacts" \
	-print_final_stats=1 >"$tmp/fuzz.log" 2>&1)
rc=$?
grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$tmp/fuzz.log"
units=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$tmp/fuzz.log" | tail -n 1)
if [ $rc = 0 ] && [ -z "$(ls -A "$artifacts")" ] && [ "${units:-0}" -gt 0 ]; then
	echo "ok - run-time shapes and values: no crash in ${secs}s ($units inputs)"
	echo "RESULT: 1 passed, 0 failed, 0 skipped"
	exit 0
fi
fuzz_report "$tmp/fuzz.log" "$artifacts"
[ "${units:-0}" -gt 0 ] || echo "the fuzzer executed no input"
failed "fuzzing FAILED (exit $rc)"
