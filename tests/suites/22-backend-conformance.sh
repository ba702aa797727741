#!/usr/bin/env bash
# Backend conformance suite: the same small graphs on every registered
# backend, compared with the CPU reference within each backend's documented
# tolerance (docs/userspace.md).  A backend that is unavailable here is
# reported NOT RUN by the test binary (GTEST_SKIP with the reason) and is
# never counted as passed.
set -uo pipefail
: "${BUILD_DIR:?}"
if [ ! -f "$BUILD_DIR/build.ninja" ] && [ ! -f "$BUILD_DIR/Makefile" ]; then
	echo "NOT RUN: $BUILD_DIR is not configured (run make build)"
	exit 77
fi
bin=$BUILD_DIR/tests/userspace/conformance/rnpu_backend_conformance
timeout 1200 cmake --build "$BUILD_DIR" --target rnpu_backend_conformance >/dev/null 2>&1 || {
	echo "cannot build rnpu_backend_conformance"
	echo "RESULT: 0 passed, 1 failed"
	exit 1
}
out=$(mktemp)
timeout 1200 "$bin" --gtest_brief=0 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
passed=$(grep -cE '^\[       OK \]' "$out")
# gtest prints each failed test twice (once inline, once in the summary).
failed=$(grep -E '^\[  FAILED  \] [A-Za-z_/]+\.' "$out" | sort -u | wc -l)
skipped=$(grep -E '^\[  SKIPPED \] [A-Za-z_/]+\.' "$out" | sort -u | wc -l)
grep -E '^NOT RUN BACKEND:' "$out" | sort -u | sed 's/^/!!! /'
if [ "$skipped" != 0 ]; then
	echo "!!! $skipped backend conformance tests NOT RUN (backend unavailable here; not counted as passed)"
fi
rm -f "$out"
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
echo "RESULT: $passed passed, $failed failed"
[ "$failed" = 0 ]
