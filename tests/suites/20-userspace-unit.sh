#!/usr/bin/env bash
# librnpu unit tests (importer, passes, partitioner, planner, executor, C/C++
# API, CPU kernels): every ctest test labelled "userspace".
set -uo pipefail
: "${BUILD_DIR:?}"
if [ ! -f "$BUILD_DIR/build.ninja" ] && [ ! -f "$BUILD_DIR/Makefile" ]; then
	echo "NOT RUN: $BUILD_DIR is not configured (run make build)"
	exit 77
fi
# Everything: the install test needs the libraries, not just the test binaries.
timeout 1800 cmake --build "$BUILD_DIR" >/dev/null 2>&1 ||
	timeout 1800 cmake --build "$BUILD_DIR" || { echo "build failed"; echo "RESULT: 0 passed, 1 failed, 0 skipped"; exit 1; }
exec timeout 1200 tests/lib/ctest-suite.sh userspace
