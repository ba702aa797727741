#!/usr/bin/env bash
# Runs the C ABI callers against today's librnpu.so on models written by
# rnpu-abi-models: the API 0.1 caller linked with today's library (versioned
# references) and as against the pre-1.0 library (unversioned references,
# loaded from LIBDIR), then the newer caller.
#   compat-test.sh MODELS_TOOL OLD_CALLER NEW_CALLER OLD_CALLER_UNVERSIONED LIBDIR
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$1" "$tmp"
"$2" "$tmp"
if nm -D "$4" | grep -q ' U rnpu_.*@'; then
	echo "FAIL: $4 has versioned references; it should stand for a pre-1.0 binary"
	exit 1
fi
LD_LIBRARY_PATH="$5${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$4" "$tmp"
"$3" "$tmp"
echo "ABI compatibility test passed"
