// Chrome trace event format (JSON object form), loadable by Perfetto and
// chrome://tracing: one track for whole runs, one per backend for ops.
#pragma once

#include <string>
#include <vector>

#include "rnpu/rnpu.hpp"

namespace rnpu::cli {

struct TraceRun {
  double start_us = 0;  // from the start of the first run
  double dur_us = 0;    // wall time of the run
  std::vector<OpProfile> ops;
};

// The runtime records per-op durations, not start times: ops are laid end
// to end from their run's start in execution order, so gaps between ops
// (runtime overhead) show as idle time at the end of each run.
std::string chrome_trace(const std::string& model, const std::vector<TraceRun>& runs);

}  // namespace rnpu::cli
