// The fast path runs QDQ-folded (quantised) nodes in float: each becomes
// DequantizeLinear -> float op -> QuantizeLinear again, with quantised
// constants (int8 weights, int32 biases) dequantised once at compile time.
// XNNPACK's float kernels on the dequantised weights are faster here than
// the reference int8 kernels, and the results are the QDQ graph's.
#pragma once

#include <vector>

#include "ir/graph.h"

namespace rnpu::cpu::fast {

struct Expanded {
  ir::Graph graph;
  // For every value the expansion added (ids >= the original value count),
  // the original value whose shape it has; used to resolve dynamic shapes.
  std::vector<ir::ValueId> shape_source;
};

// True when some node computes on quantised values (other than the
// explicitly quantised ops such as QLinearConv).
bool has_quantized_nodes(const ir::Graph& g);

Expanded expand_quantized(const ir::Graph& g);

}  // namespace rnpu::cpu::fast
