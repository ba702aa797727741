#!/usr/bin/env bash
# librnpu.so exports exactly the C API: the functions rnpu.h declares with
# RNPU_EXPORT, each listed in the version script and each versioned under a
# RNPU_<major>.<minor> node; nothing else (no C++ symbol, no golden-model
# rnpu_model_*, nothing from a statically linked library).
#   check-symbols.sh LIBRNPU_SO RNPU_H LIBRNPU_MAP
set -euo pipefail
so=$1 header=$2 map=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
sed -n 's/^RNPU_EXPORT[^(]*[ *]\(rnpu_[a-z0-9_]*\)(.*/\1/p' "$header" | sort >"$tmp/header"
sed -n 's/^[[:space:]]*\(rnpu_[a-z0-9_]*\);.*/\1/p' "$map" | sort >"$tmp/map"
nm -D --defined-only --with-symbol-versions "$so" >"$tmp/nm"
# Version-node definitions (type A, e.g. RNPU_1.0) are not functions.
awk '$2 != "A" { print $3 }' "$tmp/nm" | sort >"$tmp/exported-versioned"
sed 's/@.*//' "$tmp/exported-versioned" >"$tmp/exported"
if [ ! -s "$tmp/header" ]; then
	echo "FAIL: no RNPU_EXPORT function found in $header"
	exit 1
fi
if ! diff -u "$tmp/header" "$tmp/map" >"$tmp/d1"; then
	echo "FAIL: rnpu.h (-) and librnpu.map (+) list different functions:"
	cat "$tmp/d1"
	fail=1
fi
if ! diff -u "$tmp/header" "$tmp/exported" >"$tmp/d2"; then
	echo "FAIL: rnpu.h (-) and nm -D of $so (+) differ:"
	cat "$tmp/d2"
	fail=1
fi
if grep -v -E '^rnpu_[a-z0-9_]+@@?RNPU_[0-9]+\.[0-9]+$' "$tmp/exported-versioned" >"$tmp/bad"; then
	echo "FAIL: exported symbols outside rnpu_*@RNPU_<major>.<minor>:"
	cat "$tmp/bad"
	fail=1
fi
if grep '^rnpu_model_' "$tmp/exported" >"$tmp/model"; then
	echo "FAIL: the golden model is exported:"
	cat "$tmp/model"
	fail=1
fi
n=$(wc -l <"$tmp/exported")
nodes=$(awk '$2 == "A" { print $3 }' "$tmp/nm" | tr '\n' ' ')
echo "librnpu.so exports $n functions, version nodes: $nodes"
[ "$fail" = 0 ] && echo "symbol check passed"
exit "$fail"
