#!/usr/bin/env bash
# Helper for suites: run the ctest tests whose label is $1 and print the
# suite RESULT line from ctest's per-test results: a skipped test (GTEST_SKIP,
# which gtest_discover_tests registers with SKIP_REGULAR_EXPRESSION, or
# SKIP_RETURN_CODE) is counted as skipped with a NOT RUN ITEM line, never as
# passed; a test that could not run (missing executable), crashed or timed
# out is a failure, and so is a label with no test at all.
#   tests/lib/ctest-suite.sh LABEL
set -uo pipefail
label=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/counts.sh
. "$here/counts.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ctest --test-dir "$BUILD_DIR" -L "^${label}\$" --output-on-failure -j"$(nproc)" \
	--output-junit "$tmp/junit.xml" 2>&1 | tee "$tmp/ctest.log"
echo "--- counted (tests/lib/results.py)"
ctest_count "$tmp/ctest.log" "$tmp/junit.xml" "$label"
print_result
[ "$fail" = 0 ]
