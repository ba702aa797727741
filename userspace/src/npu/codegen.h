// The NPU code generator: lowers a partition (an ir::Graph the partitioner
// assigned to an NPU backend) to one command stream per hw/SPEC.md.
// Float graphs compute in fp16 (inputs and outputs convert at the
// partition boundary); QDQ-folded graphs (int8/uint8 values with
// quantisation) compute in int8 with per-channel weights.  Shared by the
// sim backend (hw/model in-process) and the npu backend (/dev/accel).
#pragma once

#include "backend/backend.h"
#include "npu/program.h"

namespace rnpu::npu {

// Whether the NPU can run `n`, with the reason when not.  Never throws.
Support supports(const ir::Graph& g, const ir::Node& n);
// Modelled time of `n` at the top frequency, for the partitioner.
double estimate_cost_ns(const ir::Graph& g, const ir::Node& n, const HwConfig& hw);
struct CodegenOptions {
  // Tiling through the SRAM window (tile.cc): off, chains of single-input
  // ops only, regions (residual adds included), or the best of the three
  // by the timing model's estimate of the whole stream (the default).
  // RNPU_NPU_TILING=0|chains|regions overrides the default, for measuring.
  enum class Tiling { kOff, kChains, kRegions, kBest } tiling = Tiling::kBest;
  // Candidate groups starting at these nodes are not tiled (kBest uses it
  // to drop, one by one, groups whose tiling does not pay).
  std::vector<ir::NodeId> skip;
  static CodegenOptions from_env();
};

// Throws rnpu::Error naming the node when something cannot be lowered.
Program compile(const ir::Graph& sub, const HwConfig& hw,
                const CodegenOptions& opts = CodegenOptions::from_env());

}  // namespace rnpu::npu
