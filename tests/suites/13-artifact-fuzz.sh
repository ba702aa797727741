#!/usr/bin/env bash
# Fuzz smoke run of the compiled-artifact (.rnpb) reader (tests/fuzz/artifact).
# Longer runs: docs/npu-compiler.md.
cd "$(dirname "$0")/../.." || exit 1
exec tests/lib/libfuzzer-suite.sh fuzz-artifact tests/fuzz/artifact rnpu-fuzz-artifact \
	rnpu-artifact-seeds "artifact reader"
