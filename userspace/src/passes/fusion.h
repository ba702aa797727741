// Operator fusion, as a library for the backends that run fused nodes:
// Conv+BatchNormalization, Conv/Gemm + bias Add, Conv/ConvTranspose/Gemm/
// MatMul/Add + activation (ir/fused_activation.h), and the layer-norm,
// GELU and HardSwish decompositions.  Each rewrite is kept only when
// r.accept()s the fused node, and only consumes intermediates nothing
// else reads.
#pragma once

#include "ir/graph.h"
#include "passes/pattern.h"

namespace rnpu::passes {

// Returns the number of rewrites.
int fuse(ir::Graph& g, const Rewrite& r);

}  // namespace rnpu::passes
