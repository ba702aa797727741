// The CPU cost model the partitioner compares against other backends.
// Rates come from measurements on the development machine (see
// docs/cpu-backend.md), scaled by the thread count.
#pragma once

#include "ir/graph.h"

namespace rnpu::cpu {

// Estimated nanoseconds for one run of `n` with `threads` threads; < 0 when
// a shape needed for the estimate is unknown.
double estimate_node_ns(const ir::Graph& g, const ir::Node& n, int threads);

}  // namespace rnpu::cpu
