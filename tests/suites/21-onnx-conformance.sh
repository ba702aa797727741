#!/usr/bin/env bash
# ONNX backend tests from Debian's libonnx-testdata on the CPU backend: the
# 932 node tests plus the pytorch-converted, pytorch-operator and simple
# collections (1072 in all).  Passes when every test passes or is listed, with its reason, in
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
top=$(dirname "$data")
exec timeout 1800 "$runner" --backend cpu --data "$data" --data "$top/pytorch-converted" \
	--data "$top/pytorch-operator" --data "$top/simple" \
	--expected tests/conformance/expected-failures-cpu.txt
