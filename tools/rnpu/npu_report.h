// The NPU section of `rnpu bench` and `rnpu run` for the sim and npu
// backends: modelled cycles per model and per op, MAC-array utilization,
// DRAM/SRAM bytes and the roofline bound from the device's capabilities.
#pragma once

#include <string>

#include "rnpu/rnpu.hpp"

namespace rnpu::cli {

// True when the options name an NPU backend (sim or npu).
bool wants_npu(const Options& o);
// Text report of s.npu_reports() and the top `top_ops` ops by cycles (needs
// profiling); prints nothing when no partition ran on an NPU backend.
void print_npu_report(const Session& s, size_t top_ops);
// JSON member "npu": [...] (with a leading comma), or "" without NPU partitions.
std::string npu_report_json(const Session& s);

}  // namespace rnpu::cli
