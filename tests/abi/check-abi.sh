#!/usr/bin/env bash
# Compares librnpu.so's ABI -- what its exported functions reach of the
# public headers' types, read from the C API's debug information -- with the
# stored baseline.  Any difference fails, compatible or not (an appended
# enumerator, a new function): the baseline changes only deliberately, with
# the API version and, for new functions, a new version node
# (docs/userspace.md, "C API and ABI").
#   check-abi.sh LIBRNPU_SO HEADERS_DIR BASELINE_DIR            compare
#   check-abi.sh --update LIBRNPU_SO HEADERS_DIR BASELINE_DIR   rewrite the baseline
# The baseline is BASELINE_DIR/librnpu-<machine>.abi (one per architecture:
# type sizes differ).  Exit 77 (skipped) when abidw/abidiff (Debian:
# abigail-tools) are missing, or when there is no baseline for a machine
# other than x86_64.
set -uo pipefail
update=0
if [ "${1:-}" = --update ]; then
	update=1
	shift
fi
so=$1 headers=$2 dir=$3
machine=$(uname -m)
baseline=$dir/librnpu-$machine.abi
for tool in abidw abidiff; do
	if ! command -v "$tool" >/dev/null; then
		echo "NOT RUN: $tool is not installed (Debian package abigail-tools, tools/deps/userspace.list)"
		exit 77
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Only the exported interfaces and the types the public headers define; no
# build paths or source locations, so the file is the same from any checkout.
abidw_flags=(--headers-dir "$headers" --exported-interfaces-only --drop-private-types
	--no-corpus-path --no-comp-dir-path --no-show-locs)
out=$tmp/current.abi
[ "$update" = 1 ] && out=$baseline
if ! abidw "${abidw_flags[@]}" --out-file "$out" "$so"; then
	echo "FAIL: abidw could not read $so"
	exit 1
fi
if [ "$update" = 1 ]; then
	# Translation-unit paths relative to the source tree (abidiff ignores them).
	root=$(cd "$headers/../../.." && pwd)
	sed -i "s#path='$root/#path='#" "$baseline"
	echo "wrote $baseline"
	exit 0
fi
if [ ! -f "$baseline" ]; then
	if [ "$machine" = x86_64 ]; then
		echo "FAIL: no baseline $baseline (create it with: $0 --update $so $headers $dir)"
		exit 1
	fi
	echo "NOT RUN: no ABI baseline for $machine ($baseline; create it with: $0 --update $so $headers $dir)"
	exit 77
fi
# abidiff's status bits: 1 error, 2 usage, 4 ABI change, 8 incompatible
# change.  --harmless also counts what it files as harmless (enumerators
# appended, typedef renames).
abidiff --harmless "$baseline" "$out"
rc=$?
if [ "$rc" = 0 ]; then
	echo "ABI check passed: librnpu.so matches $baseline"
	exit 0
fi
if ((rc & 3)); then
	echo "FAIL: abidiff could not compare (status $rc)"
elif ((rc & 8)); then
	echo "FAIL: incompatible ABI change against $baseline (see above): an ABI break" \
		"needs RNPU_API_VERSION_MAJOR and the soname bumped, and a new baseline"
else
	echo "FAIL: ABI changed compatibly against $baseline (see above): if deliberate," \
		"put new functions under a new version node (userspace/src/api/librnpu.map)," \
		"bump RNPU_API_VERSION_MINOR and update the baseline: $0 --update $so $headers $dir"
fi
exit 1
