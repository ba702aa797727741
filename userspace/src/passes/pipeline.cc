#include "passes/pipeline.h"

#include "passes/shape_inference.h"

namespace rnpu::passes {

namespace {

// Constant folding evaluates on the host, whatever backends run the model.
Backend* host_evaluator() {
  Backend* b = BackendRegistry::instance().get("cpu");
  return b && b->available() ? b : nullptr;
}

}  // namespace

void run_pipeline(ir::Graph& g, const PipelineOptions& o) {
  infer_shapes(g);
  if (upgrade_legacy(g)) infer_shapes(g);
  if (o.level <= 0) return;
  // QDQ regions first: constant folding would otherwise turn the
  // DequantizeLinear of every int8 weight into a float constant, which no
  // longer matches the DQ -> op -> Q pattern.
  if (fold_qdq(g, o.backends)) infer_shapes(g);
  if (fold_constants(g, host_evaluator())) eliminate_dead_nodes(g);
  eliminate_dead_nodes(g);
  infer_shapes(g);
  if (fold_qdq(g, o.backends)) infer_shapes(g);
  if (fuse(g, o.backends)) infer_shapes(g);
  if (assign_layout(g, o.backends)) infer_shapes(g);
  eliminate_dead_nodes(g);
}

}  // namespace rnpu::passes
