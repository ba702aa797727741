#include <vector>

#include "passes/pipeline.h"

namespace rnpu::passes {

namespace {

// Ops whose execution has no effect beyond their outputs.
bool removable(const ir::Node& n) {
  return n.domain.empty() || n.domain == "com.microsoft";
}

}  // namespace

int eliminate_dead_nodes(ir::Graph& g) {
  g.rebuild_links();
  std::vector<char> live(g.values.size(), 0);
  for (ir::ValueId v : g.outputs) live[size_t(v)] = 1;
  int removed = 0;
  std::vector<ir::NodeId> order = g.topo_order();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    ir::Node& n = g.node(*it);
    bool used = !removable(n);
    for (ir::ValueId v : n.outputs)
      if (v != ir::kNoValue && live[size_t(v)]) used = true;
    if (!used) {
      n.dead = true;
      ++removed;
      continue;
    }
    for (ir::ValueId v : n.inputs)
      if (v != ir::kNoValue) live[size_t(v)] = 1;
  }
  if (removed) g.compact();
  return removed;
}

}  // namespace rnpu::passes
