// The pass pipeline run between import and partitioning.
#pragma once

#include <string>
#include <vector>

#include "backend/backend.h"
#include "ir/graph.h"

namespace rnpu::passes {

struct PipelineOptions {
  int level = 1;                   // 0: shape inference only
  std::vector<Backend*> backends;  // enabled backends (fusion and layout ask them)
};

// Shape inference, then (level >= 1) constant folding, dead-node removal,
// QDQ folding, fusion and layout assignment, re-inferring as needed.
void run_pipeline(ir::Graph& g, const PipelineOptions& o);

// Individual passes (each returns the number of rewrites it made).
int eliminate_dead_nodes(ir::Graph& g);
// Old-opset forms rewritten to their modern equivalents (PRelu-6 slopes).
int upgrade_legacy(ir::Graph& g);
// Evaluates all-constant nodes on `evaluator` (a host backend; nullptr
// folds only Shape/Size of static values).
int fold_constants(ir::Graph& g, Backend* evaluator);
// Conv+BatchNormalization, Conv/Gemm + bias Add, Conv/Gemm/Add +
// activation, layer-norm and GELU decompositions; only rewrites that some
// backend in `backends` supports.
int fuse(ir::Graph& g, const std::vector<Backend*>& backends);
// DequantizeLinear -> op -> QuantizeLinear becomes the op on int8/uint8
// values carrying QuantParams, where a backend supports that form.
int fold_qdq(ir::Graph& g, const std::vector<Backend*>& backends);
// Regions assigned to NHWC-preferring backends become NHWC, with
// Transposes only at region boundaries.
int assign_layout(ir::Graph& g, const std::vector<Backend*>& backends);

}  // namespace rnpu::passes
