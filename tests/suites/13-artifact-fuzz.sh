#!/usr/bin/env bash
# Fuzz smoke run of the compiled-artifact (.rnpb) reader: builds
# tests/fuzz/artifact with clang (libFuzzer + ASan + UBSan) and runs it for
# RNPU_FUZZ_SECONDS (default 30) from generated seed artifacts.  A crash,
# sanitizer report or leak fails the suite.  Longer runs: docs/npu-compiler.md.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if ! command -v clang++ > /dev/null; then
	echo "NOT RUN: clang++ is not installed (tools/setup-deps.sh installs it)"
	exit 77
fi
build=${BUILD_DIR:-$root/build}/fuzz-artifact
secs=${RNPU_FUZZ_SECONDS:-30}
mkdir -p "$build"
if ! { CC=clang CXX=clang++ cmake -S tests/fuzz/artifact -B "$build" -G Ninja > "$build/configure.log" 2>&1 &&
	ninja -C "$build" > "$build/build.log" 2>&1; }; then
	tail -n 30 "$build/configure.log" "$build/build.log"
	echo "RESULT: 0 passed, 1 failed"
	exit 1
fi
corpus=$build/corpus
rm -rf "$corpus"
mkdir -p "$corpus"
"$build/rnpu-artifact-seeds" "$corpus"
echo "13-artifact-fuzz: rnpu-fuzz-artifact for ${secs}s from $(ls "$corpus" | wc -l) seeds"
if (cd "$build" && timeout -k 10 $((secs + 60)) ./rnpu-fuzz-artifact -max_total_time="$secs" \
	-rss_limit_mb=2048 -print_final_stats=1 "$corpus" > fuzz.log 2>&1); then
	grep -E '^stat::number_of_executed_units|cov:' "$build/fuzz.log" | tail -n 2
	echo "ok - artifact reader: no crash in ${secs}s"
	echo "RESULT: 1 passed, 0 failed"
else
	tail -n 40 "$build/fuzz.log"
	echo "not ok - artifact reader fuzzing found a crash (reproducer in $build)"
	echo "RESULT: 0 passed, 1 failed"
	exit 1
fi
