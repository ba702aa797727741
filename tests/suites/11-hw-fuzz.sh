#!/usr/bin/env bash
# Fuzz smoke run of the golden model's command-stream decoder and executor
# (tests/fuzz/cs_decoder).  Longer runs: docs/hw-testing.md.
cd "$(dirname "$0")/../.." || exit 1
exec tests/lib/libfuzzer-suite.sh fuzz-cs tests/fuzz/cs_decoder rnpu-fuzz-cs rnpu-cs-seeds \
	"command-stream decoder"
