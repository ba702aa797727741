// The backend-independent pass pipeline run between import and
// partitioning.  It produces the canonical graph every backend claims
// from: shapes inferred, legacy forms upgraded, constants folded on the
// reference kernels, dead nodes removed, QDQ regions explicit
// (DequantizeLinear -> op -> QuantizeLinear, one DequantizeLinear per
// region op) and nothing fused.  Backend-specific rewrites (QDQ folding,
// fusion) run after partitioning, inside each backend's optimize() on its
// own partition (passes/qdq.h, passes/fusion.h, passes/claim.h).
#pragma once

#include "ir/graph.h"

namespace rnpu::passes {

struct PipelineOptions {
  int level = 1;  // 0: shape inference and legacy upgrade only
};

void run_pipeline(ir::Graph& g, const PipelineOptions& o);

// Individual passes (each returns the number of rewrites it made).
int eliminate_dead_nodes(ir::Graph& g);
// Old-opset forms rewritten to their modern equivalents (PRelu-6 slopes).
int upgrade_legacy(ir::Graph& g);

struct FoldOptions {
  // Evaluate all-constant nodes on the reference kernels; false folds only
  // Shape/Size of static values.
  bool evaluate = true;
  // Keep the DequantizeLinear nodes of QDQ regions (their int8 weights are
  // what a quantised backend computes on); a backend that runs the regions
  // in float folds them in its own optimize().
  bool keep_qdq = true;
};
// Replaces all-constant nodes by their results.  Nodes whose results exceed
// 16 MiB, or that the kernels refuse or fail on, stay for run time.
int fold_constants(ir::Graph& g, const FoldOptions& o = {});

}  // namespace rnpu::passes
