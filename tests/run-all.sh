#!/usr/bin/env bash
# Run every test suite under tests/suites/ (in name order) and print one
# summary line "N passed, N failed" over all of them.
#
# Suite protocol: tests/suites/NN-name.sh is run with the repository root as
# its working directory and BUILD_DIR in the environment.  It prints what it
# likes and, as its last line of output, exactly
#     RESULT: <passed> passed, <failed> failed
# or exits 77 after printing "NOT RUN: <reason>" when it cannot run its
# subject on this machine.  A suite that exits non-zero without a RESULT line
# counts as one failure.  Not-run suites are never counted as passed.
#
# Usage: tests/run-all.sh [PATTERN...]   (run only suites matching a pattern)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export BUILD_DIR=${BUILD_DIR:-$root/build}
logdir=$BUILD_DIR/test-logs
mkdir -p "$logdir"

total_pass=0
total_fail=0
failed_suites=()
notrun=()

for suite in tests/suites/*.sh; do
	name=$(basename "$suite" .sh)
	if [ $# -gt 0 ]; then
		match=0
		for p in "$@"; do case "$name" in *"$p"*) match=1 ;; esac; done
		[ $match = 1 ] || continue
	fi
	echo "=== suite $name"
	log=$logdir/$name.log
	start=$(date +%s)
	bash "$suite" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - start ))
	result=$(grep -E '^RESULT: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ $rc = 77 ]; then
		reason=$(grep -E '^NOT RUN:' "$log" | tail -n 1)
		notrun+=("$name: ${reason:-NOT RUN: (no reason given)}")
		echo "=== suite $name: NOT RUN (${secs}s)"
		continue
	fi
	if [ -z "$result" ]; then
		total_fail=$((total_fail + 1))
		failed_suites+=("$name (exit $rc, no RESULT line)")
		echo "=== suite $name: ERROR exit $rc (${secs}s)"
		continue
	fi
	p=$(echo "$result" | sed -E 's/^RESULT: ([0-9]+) passed, ([0-9]+) failed$/\1/')
	f=$(echo "$result" | sed -E 's/^RESULT: ([0-9]+) passed, ([0-9]+) failed$/\2/')
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$f" != 0 ] || [ $rc != 0 ]; then
		[ "$f" != 0 ] || total_fail=$((total_fail + 1))
		failed_suites+=("$name ($f failed, exit $rc)")
	fi
	echo "=== suite $name: $p passed, $f failed (${secs}s)"
done

echo
echo "================================ summary ================================"
for s in "${failed_suites[@]}"; do echo "FAILED SUITE: $s"; done
if [ ${#notrun[@]} -gt 0 ]; then
	echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
	echo "!!! SUITES NOT RUN (not counted as passed):"
	for s in "${notrun[@]}"; do echo "!!!   $s"; done
	echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
