#!/usr/bin/env bash
# The NPU code generator and the sim backend (tests/npu, label npu).  The
# sim backend's per-op conformance runs in 22-backend-conformance.
exec "$(dirname "$0")/../lib/ctest-suite.sh" npu
