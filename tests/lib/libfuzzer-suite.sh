#!/usr/bin/env bash
# Shared body of the standalone libFuzzer suites: builds SRC_DIR (a CMake
# project of its own) with clang, writes the seed corpus with SEEDER, and
# runs FUZZER for RNPU_FUZZ_SECONDS (default 30).  A crash, sanitizer report
# or leak fails the suite; the reproducer stays in the build directory.  So
# does a seeder that writes no seed (the corpus is part of the subject) and
# a run that executed no input.
#   tests/lib/libfuzzer-suite.sh NAME SRC_DIR FUZZER SEEDER "WHAT"
set -uo pipefail
name=$1 src=$2 fuzzer=$3 seeder=$4 what=$5
if ! command -v clang > /dev/null; then
	echo "NOT RUN: clang is not installed (tools/setup-deps.sh installs it)"
	exit 77
fi
build=${BUILD_DIR:-build}/$name
secs=${RNPU_FUZZ_SECONDS:-30}
mkdir -p "$build"
failed() {
	echo "not ok - $what: $1"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
}
if ! { CC=clang CXX=clang++ cmake -S "$src" -B "$build" -G Ninja > "$build/configure.log" 2>&1 &&
	ninja -C "$build" > "$build/build.log" 2>&1; }; then
	tail -n 30 "$build/configure.log" "$build/build.log"
	failed "build failed"
fi
corpus=$build/corpus
rm -rf "$corpus"
mkdir -p "$corpus"
"$build/$seeder" "$corpus" || failed "$seeder failed"
seeds=$(find "$corpus" -type f | wc -l)
[ "$seeds" -gt 0 ] || failed "$seeder wrote no seed into $corpus"
echo "$name: $fuzzer for ${secs}s from $seeds seeds"
if (cd "$build" && timeout -k 10 $((secs + 60)) "./$fuzzer" -max_total_time="$secs" \
	-rss_limit_mb=2048 -print_final_stats=1 "$corpus" > fuzz.log 2>&1); then
	grep -E '^stat::number_of_executed_units|cov:' "$build/fuzz.log" | tail -n 2
	units=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$build/fuzz.log" | tail -n 1)
	[ "${units:-0}" -gt 0 ] || failed "the fuzzer executed no input (see $build/fuzz.log)"
	echo "ok - $what: no crash in ${secs}s ($units inputs)"
	echo "RESULT: 1 passed, 0 failed, 0 skipped"
else
	tail -n 40 "$build/fuzz.log"
	echo "not ok - $what: fuzzing found a crash (reproducer in $build)"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
