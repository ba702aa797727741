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

}  // namespace rnpu::passes
