#!/usr/bin/env bash
# ONNX backend node tests (Debian's libonnx-testdata, 932 tests) on the CPU
# backend.  Passes when every test passes or is listed, with its reason, in
# tests/conformance/expected-failures-cpu.txt.  RESULT: passed = passing
# tests, failed = non-passing tests that are not listed; the unsupported
# count is printed loudly and never counted as passed.
set -uo pipefail
: "${BUILD_DIR:?}"
data=/usr/share/libonnx-testdata/data/node
if [ ! -d "$data" ]; then
	tools/setup-deps.sh userspace >/dev/null 2>&1 || true
fi
if [ ! -d "$data" ]; then
	echo "NOT RUN: $data missing (package libonnx-testdata could not be installed)"
	exit 77
fi
runner=$BUILD_DIR/tests/userspace/rnpu-onnx-conformance
timeout 1200 cmake --build "$BUILD_DIR" --target rnpu-onnx-conformance >/dev/null 2>&1 || {
	echo "cannot build rnpu-onnx-conformance"
	echo "RESULT: 0 passed, 1 failed"
	exit 1
}
exec timeout 1800 "$runner" --data "$data" --backend cpu \
	--expected tests/conformance/expected-failures-cpu.txt
