#!/usr/bin/env bash
# Run every test suite under tests/suites/ (in name order), list everything
# that did not run, and end with exactly one line
#     N passed, N failed, N skipped
# over all of them (CI tools parse it; skipped = not run).  The exit status
# is nonzero iff anything failed; skips do not fail the run, and they are
# never counted as passed.
#
# Suite protocol: tests/suites/NN-name.sh is run with the repository root as
# its working directory and BUILD_DIR in the environment.  It prints what it
# likes and ends with
#     RESULT: <passed> passed, <failed> failed, <skipped> skipped
# (its last RESULT line counts; the older "RESULT: <p> passed, <f> failed"
# means 0 skipped).  For each thing it did not run it prints one line
#     NOT RUN ITEM: <count> <what>: <reason>
# where <count> (at least 1) is how many tests or checks the item stands
# for; the counts should add up to <skipped> (a warning says when they do
# not).  A suite that cannot run its subject at all prints
# "NOT RUN: <reason>" and exits 77: it counts as 1 skipped and is listed.
# A suite that exits non-zero without a RESULT line counts as one failure,
# and so does one that exits non-zero while reporting 0 failed.
#
# Usage: tests/run-all.sh [PATTERN...]   (run only suites matching a pattern)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
export BUILD_DIR=${BUILD_DIR:-$root/build}
logdir=$BUILD_DIR/test-logs
mkdir -p "$logdir"

total_pass=0
total_fail=0
total_skip=0
failed_suites=()
notrun=()
warnings=()
re3='^RESULT: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$'
re2='^RESULT: ([0-9]+) passed, ([0-9]+) failed$'

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
	if [ "$rc" = 77 ]; then
		reason=$(grep -E '^NOT RUN:' "$log" | tail -n 1 | sed -E 's/^NOT RUN: ?//')
		total_skip=$((total_skip + 1))
		notrun+=("$name: 1 suite (the whole suite): ${reason:-(no reason given)}")
		echo "=== suite $name: NOT RUN (${secs}s)"
		continue
	fi
	result=$(grep -E "$re3|$re2" "$log" | tail -n 1)
	if [ -z "$result" ]; then
		total_fail=$((total_fail + 1))
		failed_suites+=("$name (exit $rc, no RESULT line)")
		echo "=== suite $name: ERROR exit $rc (${secs}s)"
		continue
	fi
	if [[ $result =~ $re3 ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[3]}
	else
		[[ $result =~ $re2 ]]
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=0
	fi
	listed=0
	while IFS= read -r item; do
		[ -n "$item" ] || continue
		n=${item%% *}
		listed=$((listed + n))
		notrun+=("$name: $item")
	done < <(sed -nE 's/^NOT RUN ITEM: ([0-9]+ .*)$/\1/p' "$log")
	if [ "$listed" != "$s" ]; then
		warnings+=("$name reports $s skipped but its NOT RUN ITEM lines count $listed")
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	if [ "$f" != 0 ] || [ "$rc" != 0 ]; then
		[ "$f" != 0 ] || total_fail=$((total_fail + 1))
		failed_suites+=("$name ($f failed, exit $rc)")
	fi
	echo "=== suite $name: $p passed, $f failed, $s skipped (${secs}s)"
done

echo
echo "================================ summary ================================"
for s in "${failed_suites[@]}"; do echo "FAILED SUITE: $s"; done
for w in "${warnings[@]}"; do echo "WARNING: $w"; done
if [ ${#notrun[@]} -gt 0 ]; then
	echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
	echo "!!! NOT RUN (counted as skipped, never as passed): suite: count what: reason"
	for s in "${notrun[@]}"; do echo "!!!   $s"; done
	echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
fi
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
