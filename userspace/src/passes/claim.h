// The rewrite libraries as the backends use them: claim() the node groups
// a backend's rewrites would merge, and optimize() its partition with the
// same rewrites, so what the partitioner assigns as one unit is what the
// backend then folds or fuses.
#pragma once

#include <vector>

#include "backend/backend.h"
#include "ir/graph.h"

namespace rnpu::passes {

struct RewriteSet {
  bool qdq = false;     // fold QDQ regions (passes/qdq.h)
  bool fusion = false;  // fuse (passes/fusion.h)
};

// The groups of nodes of g that `which` rewrites would merge into nodes b
// supports, found by running them on a copy of g (Backend::claim).  Each
// group's cost is b's estimate for the nodes it becomes.
std::vector<NodeGroup> claim_rewrites(const ir::Graph& g, const Backend& b, RewriteSet which);

// Runs `which` on a partition's subgraph for b (Backend::optimize): value
// ids are kept, removed nodes are left dead.  Returns the rewrite count.
int optimize_rewrites(ir::Graph& sub, const Backend& b, RewriteSet which);

}  // namespace rnpu::passes
