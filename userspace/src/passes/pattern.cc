#include "passes/pattern.h"

namespace rnpu::passes {

ir::Node* producer(ir::Graph& g, ir::ValueId v) {
  if (v == ir::kNoValue) return nullptr;
  ir::NodeId p = g.value(v).producer;
  if (p == ir::kNoNode || g.node(p).dead) return nullptr;
  return &g.node(p);
}

const ir::Node* producer(const ir::Graph& g, ir::ValueId v) {
  return producer(const_cast<ir::Graph&>(g), v);
}

bool single_use(const ir::Graph& g, ir::ValueId v) {
  if (v == ir::kNoValue || g.is_graph_output(v)) return false;
  int uses = 0;
  for (ir::NodeId c : g.value(v).consumers) {
    const ir::Node& n = g.node(c);
    if (n.dead) continue;
    for (ir::ValueId in : n.inputs)
      if (in == v) ++uses;
  }
  return uses == 1;
}

ir::Node* sole_consumer(ir::Graph& g, ir::ValueId v) {
  if (!single_use(g, v)) return nullptr;
  for (ir::NodeId c : g.value(v).consumers)
    if (!g.node(c).dead) return &g.node(c);
  return nullptr;
}

const ir::Node* sole_consumer(const ir::Graph& g, ir::ValueId v) {
  return sole_consumer(const_cast<ir::Graph&>(g), v);
}

std::optional<double> const_scalar(const ir::Graph& g, ir::ValueId v) {
  if (v == ir::kNoValue) return std::nullopt;
  const auto& c = g.value(v).constant;
  if (!c || c->numel() != 1) return std::nullopt;
  if (c->dtype == ir::DType::kFloat16 || c->dtype == ir::DType::kBFloat16) return std::nullopt;
  if (!ir::dtype_is_float(c->dtype) && !ir::dtype_is_int(c->dtype)) return std::nullopt;
  return c->get_double(0);
}

const ir::ConstTensor* const_f32(const ir::Graph& g, ir::ValueId v) {
  if (v == ir::kNoValue) return nullptr;
  const auto& c = g.value(v).constant;
  return c && c->dtype == ir::DType::kFloat32 ? c.get() : nullptr;
}

Accept accept_by(const Backend& b) {
  return [&b](const ir::Graph& g, const ir::Node& n) { return b.supports(g, n).ok; };
}

ir::ValueId other_input(const ir::Node& n, ir::ValueId v) {
  if (n.inputs.size() != 2) return ir::kNoValue;
  if (n.inputs[0] == v) return n.inputs[1];
  if (n.inputs[1] == v) return n.inputs[0];
  return ir::kNoValue;
}

}  // namespace rnpu::passes
