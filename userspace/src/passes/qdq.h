// QDQ regions, as a library for the backends that run them quantised (npu,
// sim) and the canonical pipeline.  A region is DequantizeLinear(s) -> op ->
// QuantizeLinear with constant per-tensor (output) scales; folded, it is the
// op computing directly on the int8/uint8 values, with the scales and zero
// points recorded as QuantParams on those values.
#pragma once

#include "ir/graph.h"
#include "passes/pattern.h"

namespace rnpu::passes {

// Folds every region whose quantised node r.accept()s.  A region is folded
// only when its DequantizeLinear nodes die with it (unique_dequantize()
// gives every region its own).  Returns the number of regions folded.
int fold_qdq(ir::Graph& g, const Rewrite& r);

// Whether node n is a DequantizeLinear feeding a region's op (links built):
// the canonical pipeline keeps such nodes, constant input or not.
bool qdq_region_input(const ir::Graph& g, const ir::Node& n);

// Records on the int8/uint8 values that a QuantizeLinear writes or a
// DequantizeLinear reads the per-tensor QuantParams of that node (constant
// scale and zero point), where no other node disagrees and the value has
// none yet: what a backend whose int8 tensors must carry their quantisation
// (npu, sim) needs to run standalone conversions.  Returns the count.
int annotate_qdq(ir::Graph& g);

// Canonical form: a DequantizeLinear read by several region ops gets one
// copy per region op, so each region owns its inputs and a backend can
// claim it whole.  Returns the number of copies made.
int unique_dequantize(ir::Graph& g);

}  // namespace rnpu::passes
