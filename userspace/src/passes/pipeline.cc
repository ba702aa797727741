#include "passes/pipeline.h"

#include "passes/shape_inference.h"

namespace rnpu::passes {

void run_pipeline(ir::Graph& g, const PipelineOptions& o) {
  infer_shapes(g);
  if (o.level <= 0) return;
  eliminate_dead_nodes(g);
  infer_shapes(g);
}

}  // namespace rnpu::passes
