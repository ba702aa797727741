#!/usr/bin/env bash
# Golden-model unit tests (tests/hw, label hw).
exec "$(dirname "$0")/../lib/ctest-suite.sh" hw
