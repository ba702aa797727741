#!/usr/bin/env bash
# Backend conformance suite: the same small graphs on every registered
# backend, compared with the CPU reference kernels (Options::reference_kernels:
# no XNNPACK, no fast path, no fusion) within each backend's documented
# tolerance (docs/userspace.md, pinned by a test).  A backend that is
# unavailable here is reported by the binary ("NOT RUN BACKEND: <name>: <why>",
# GTEST_SKIP); its cases count as skipped with one NOT RUN ITEM line, never as
# passed.  A crash or nonzero exit of the binary is a failure, and so is every
# test it did not report.
set -uo pipefail
: "${BUILD_DIR:?}"
if [ ! -f "$BUILD_DIR/build.ninja" ] && [ ! -f "$BUILD_DIR/Makefile" ]; then
	echo "NOT RUN: $BUILD_DIR is not configured (run make build)"
	exit 77
fi
bin=$BUILD_DIR/tests/userspace/conformance/rnpu_backend_conformance
timeout 1200 cmake --build "$BUILD_DIR" --target rnpu_backend_conformance >/dev/null 2>&1 || {
	echo "cannot build rnpu_backend_conformance"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
}
total=$("$bin" --gtest_list_tests 2>/dev/null | grep -c '^  ')
out=$(mktemp)
start=$(date +%s)
timeout 1200 "$bin" --gtest_brief=0 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
secs=$(($(date +%s) - start))
# names TAG: the tests gtest reported under "[TAG]", once each (it prints
# each failed or skipped test twice: inline and in the summary).
names() { sed -nE "s/^\[$1\] ([A-Za-z_][A-Za-z0-9_/.]*).*/\1/p" "$out" | sort -u; }
passed=$(names '       OK ' | wc -l)
failed=$(names '  FAILED  ' | wc -l)
skipped_names=$(names '  SKIPPED ')
skipped=$(echo -n "$skipped_names" | grep -c '^' || true)
left=$skipped_names
while IFS= read -r line; do
	[ -n "$line" ] || continue
	b=${line#NOT RUN BACKEND: }
	why=${b#*: }
	b=${b%%: *}
	prefix="AllBackends/BackendConformance.MatchesCpuReference/${b}_"
	n=$(echo -n "$left" | grep -c "^$prefix" || true)
	left=$(echo -n "$left" | grep -v "^$prefix" || true)
	[ "$n" = 0 ] || echo "NOT RUN ITEM: $n backend conformance cases ($b): backend unavailable here: $why"
done < <(grep -E '^NOT RUN BACKEND: ' "$out" | sort -u)
while IFS= read -r t; do
	[ -n "$t" ] || continue
	why=$(sed -n "s|^NOT RUN CHECK: $t: ||p" "$out" | head -n 1)
	echo "NOT RUN ITEM: 1 test $t: ${why:-skipped (see the log above)}"
done <<<"$left"
rm -f "$out"
missing=$((total - passed - failed - skipped))
if [ "$missing" -gt 0 ]; then
	echo "!!! $missing of $total tests did not report (the binary crashed or timed out, exit $rc): counted as failed"
	failed=$((failed + missing))
fi
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
	echo "!!! rnpu_backend_conformance exited $rc with no failed test: counted as 1 failure"
	failed=1
fi
echo "backend conformance: $total tests in ${secs}s"
echo "RESULT: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
