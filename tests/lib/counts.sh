# shellcheck shell=bash
# Sourced by suites: honest pass/fail/skip counting (tests/run-all.sh has
# the protocol).  Keeps totals in $pass, $fail and $skip.
#   not_run_item COUNT "WHAT: REASON"   a thing not run (adds COUNT skipped)
#   ctest_count LOG [JUNIT] [WHAT]      add a ctest run's results
#   gtest_count LOG RC [WHAT]           add a GoogleTest binary's results
#                                       (crash / no test ran = a failure)
#   print_result                        the suite's RESULT line
# ctest_count and gtest_count print the failures and NOT RUN ITEM lines
# that tests/lib/results.py found, then "    P passed, F failed, S skipped".
pass=${pass:-0}
fail=${fail:-0}
skip=${skip:-0}
counts_py=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/results.py

not_run_item() {
	local n=$1
	shift
	echo "NOT RUN ITEM: $n $*"
	skip=$((skip + n))
}

_add_counts() {	# output of results.py
	local out=$1 last
	last=$(printf '%s\n' "$out" | tail -n 1)
	printf '%s\n' "$out" | sed '$d'
	if [[ $last =~ ^COUNTS\ ([0-9]+)\ ([0-9]+)\ ([0-9]+)$ ]]; then
		pass=$((pass + BASH_REMATCH[1]))
		fail=$((fail + BASH_REMATCH[2]))
		skip=$((skip + BASH_REMATCH[3]))
		echo "    ${BASH_REMATCH[1]} passed, ${BASH_REMATCH[2]} failed, ${BASH_REMATCH[3]} skipped"
	else
		fail=$((fail + 1))
		echo "FAIL: tests/lib/results.py could not count the results: $last"
	fi
}

ctest_count() {	# LOG [JUNIT] [WHAT]
	_add_counts "$(python3 "$counts_py" ctest "$1" "${2:-}" "${3:-ctest}" 2>&1)"
}

gtest_count() {	# LOG RC [WHAT]
	_add_counts "$(python3 "$counts_py" gtest "$1" "$2" "${3:-gtest}" 2>&1)"
}

print_result() {
	echo "RESULT: $pass passed, $fail failed, $skip skipped"
}
