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
# clang >= 15: librnpu's NPU code generator uses _Float16 (see 12-importer-fuzz.sh).
ver=
for v in 19 18 17 16 15; do
	command -v "clang++-$v" >/dev/null && { ver=$v; break; }
done
if [ -z "$ver" ]; then
	echo "NOT RUN: no clang >= 15 (tools/setup-deps.sh cli installs clang-16)"
	exit 77
fi
cxx=clang++-$ver
cc=clang-$ver
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' >"$tmp/p.cc"
if ! "$cxx" -fsanitize=fuzzer,address "$tmp/p.cc" -o "$tmp/p" 2>"$tmp/err"; then
	echo "NOT RUN: $cxx cannot link libFuzzer ($(head -n 1 "$tmp/err"); install libclang-rt-$ver-dev)"
	exit 77
fi
failed() {
	echo "$1"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
}
fb=${BUILD_DIR%/}-fuzz-importer
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize=fuzzer-no-link -O1 -g"
if [ ! -f "$fb/build.ninja" ] || ! grep -q "CMAKE_CXX_COMPILER:.*$cxx\$" "$fb/CMakeCache.txt"; then
	timeout 600 cmake -S . -B "$fb" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DRNPU_BUILD_FUZZERS=ON \
		-DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" >"$tmp/cfg.log" 2>&1 ||
		{ tail -n 20 "$tmp/cfg.log"; failed "cannot configure the fuzz build in $fb"; }
fi
timeout 3600 cmake --build "$fb" --target rnpu_fuzz_dynamic >"$tmp/build.log" 2>&1 ||
	{ grep -E 'error|FAILED' "$tmp/build.log" | head -n 20; failed "cannot build rnpu_fuzz_dynamic in $fb"; }
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
grep -E -A25 'ERROR: |==ERROR|runtime error|deadly signal|Timeout|out-of-memory|malloc\(' \
	"$tmp/fuzz.log" | head -n 60
for a in "$artifacts"*; do
	[ -f "$a" ] || continue
	mkdir -p "$fb-artifacts"
	cp "$a" "$fb-artifacts/" && echo "reproducer: $fb-artifacts/$(basename "$a")"
done
[ "${units:-0}" -gt 0 ] || echo "the fuzzer executed no input"
failed "fuzzing FAILED (exit $rc)"
