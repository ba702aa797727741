// The Vulkan cost model the partitioner compares with other backends:
// per-op time = dispatch overhead + max(FLOPs / compute rate, bytes /
// bandwidth), with the three rates measured on the device itself (a short
// calibration on first use, cached next to the pipeline cache).
#pragma once

#include <string>

#include "ir/graph.h"

namespace rnpu::vk {

struct Rates {
  double dispatch_ns = 0;   // fixed cost of one small dispatch (+ barrier)
  double flops_per_ns = 0;  // dense GEMM throughput
  double bytes_per_ns = 0;  // streaming elementwise bandwidth (read + write)
  bool measured = false;
  std::string source;  // "measured", "cached <file>", "default for <type>"
};

// FLOPs and bytes moved by one run of `n` (shapes must be static); false
// when a shape is unknown.
bool op_work(const ir::Graph& g, const ir::Node& n, double* flops, double* bytes, int* dispatches);

double estimate_ns(const Rates& r, const ir::Graph& g, const ir::Node& n);

}  // namespace rnpu::vk
