// Rewrites of pre-opset-7 forms whose semantics differ from today's
// broadcasting rules, so backends only ever see the modern form.
#include "passes/pattern.h"
#include "passes/pipeline.h"

namespace rnpu::passes {

int upgrade_legacy(ir::Graph& g) {
  int n_rewrites = 0;
  for (ir::Node& n : g.nodes) {
    if (n.dead || n.op != "PRelu" || !n.domain.empty() || n.opset >= 7 || n.inputs.size() != 2)
      continue;
    // PRelu-1/6: a 1-D slope of C values is per channel (axis 1), not a
    // trailing-axis broadcast.
    const ir::Shape& xs = g.value(n.inputs[0]).shape;
    const auto& slope = g.value(n.inputs[1]).constant;
    if (!slope || slope->dims.size() != 1 || slope->dims[0] == 1 || !xs.has_rank || xs.rank() < 3)
      continue;
    auto t = std::make_shared<ir::ConstTensor>(*slope);
    t->dims.assign(xs.rank() - 1, 1);
    t->dims[0] = slope->dims[0];
    n.inputs[1] = g.add_constant(g.value(n.inputs[1]).name + "_per_channel", t);
    ++n_rewrites;
  }
  if (n_rewrites) g.rebuild_links();
  return n_rewrites;
}

}  // namespace rnpu::passes
