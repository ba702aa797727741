#!/usr/bin/env bash
# Runs the C++ caller linked against librnpu.so alone and checks that it is:
# it needs librnpu.so, references only rnpu_* functions of it, and carries
# none of librnpu's internals (rnpu::runtime, rnpu::ir, ...).
#   cxx-shared-test.sh MODELS_TOOL CXX_CALLER LIBRNPU_SO
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$1" "$tmp"
if ! readelf -d "$2" | grep -q "NEEDED.*\[$(basename "$(readlink -f "$3")" | sed 's/\.so\..*/.so/')"; then
	echo "FAIL: $2 does not link librnpu.so"
	exit 1
fi
if nm -C "$2" | grep -E 'rnpu::(runtime|ir|onnx|passes|partition|plan|capi|npu)::' >"$tmp/internal"; then
	echo "FAIL: $2 carries librnpu internals:"
	cat "$tmp/internal"
	exit 1
fi
# Undefined references into librnpu: versioned rnpu_* functions only.
nm -D --undefined-only --with-symbol-versions "$2" | awk '{print $2}' | grep '@RNPU_' >"$tmp/refs" || true
if [ ! -s "$tmp/refs" ]; then
	echo "FAIL: $2 references no rnpu_* function"
	exit 1
fi
if grep -v -E '^rnpu_[a-z0-9_]+@RNPU_[0-9]+\.[0-9]+$' "$tmp/refs"; then
	echo "FAIL: references into librnpu other than rnpu_* functions (above)"
	exit 1
fi
"$2" "$tmp"
echo "C++ shared-library test passed ($(wc -l <"$tmp/refs") rnpu_* functions referenced)"
