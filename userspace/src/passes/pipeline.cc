#include "passes/pipeline.h"

#include "passes/qdq.h"
#include "passes/shape_inference.h"

namespace rnpu::passes {

void run_pipeline(ir::Graph& g, const PipelineOptions& o) {
  infer_shapes(g);
  if (upgrade_legacy(g)) infer_shapes(g);
  if (o.level <= 0) return;
  // Before folding: each region op gets its own DequantizeLinear, which
  // folding then keeps (FoldOptions::keep_qdq).
  unique_dequantize(g);
  if (fold_constants(g)) eliminate_dead_nodes(g);
  eliminate_dead_nodes(g);
  infer_shapes(g);
  // Folding may have made new regions (a QuantizeLinear of a constant now
  // an int8 constant); their shared DequantizeLinear nodes are split too.
  if (unique_dequantize(g)) infer_shapes(g);
}

}  // namespace rnpu::passes
