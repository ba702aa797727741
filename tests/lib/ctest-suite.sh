#!/usr/bin/env bash
# Helper for suites: run the ctest tests whose label is $1 and print the
# suite RESULT line from ctest's own counts.
#   tests/lib/ctest-suite.sh LABEL
set -uo pipefail
label=$1
out=$(mktemp)
ctest --test-dir "$BUILD_DIR" -L "^${label}\$" --output-on-failure -j"$(nproc)" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$out" | tail -n 1)
rm -f "$out"
if [ -z "$line" ]; then
	echo "ctest ran no test with label $label (exit $rc)"
	exit 1
fi
failed=$(echo "$line" | sed -E 's/.*tests passed, ([0-9]+) tests failed out of ([0-9]+).*/\1/')
total=$(echo "$line" | sed -E 's/.*tests passed, ([0-9]+) tests failed out of ([0-9]+).*/\2/')
if [ "$total" = 0 ]; then
	echo "ctest found no test with label $label"
	exit 1
fi
echo "RESULT: $((total - failed)) passed, $failed failed"
[ "$failed" = 0 ]
