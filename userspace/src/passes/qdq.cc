// QDQ folding: DequantizeLinear -> op -> QuantizeLinear regions become the
// op computing directly on the quantised values, with the scales and zero
// points recorded as QuantParams on the int8/uint8 values.  A rewrite is
// kept only where an enabled backend supports the quantised node.
#include <set>

#include "ir/quant_ops.h"
#include "passes/pattern.h"
#include "passes/pipeline.h"

namespace rnpu::passes {

namespace {

using ir::Node;
using ir::ValueId;

// Scale/zero point of a Q or DQ node when both are constants.
// QuantParams hold per-tensor or per-axis parameters only: blocked ones
// (opset 21) and float8 saturation stay with the Q/DQ nodes.
std::optional<ir::QuantParams> params_of(const ir::Graph& g, const Node& n) {
  if (n.inputs.size() < 2) return std::nullopt;
  if (n.attrs.get_int("block_size", 0) != 0) return std::nullopt;
  const auto& s = g.value(n.inputs[1]).constant;
  if (!s || s->dtype != ir::DType::kFloat32 || s->numel() < 1) return std::nullopt;
  ir::QuantParams q;
  q.scale.assign(s->as<float>(), s->as<float>() + s->numel());
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue) {
    const auto& z = g.value(n.inputs[2]).constant;
    if (!z || z->numel() != s->numel()) return std::nullopt;
    for (int64_t i = 0; i < z->numel(); ++i) q.zero_point.push_back(int32_t(z->get_int(i)));
  } else {
    q.zero_point.assign(q.scale.size(), 0);
  }
  q.axis = int(n.attrs.get_int("axis", 1));
  return q;
}

const std::set<std::string> kQuantizable = {
    "Conv",    "MatMul",  "Gemm",        "Add",
    "Mul",     "MaxPool", "AveragePool", "GlobalAveragePool",
    "Relu",    "Concat",  "Reshape",     "Transpose",
    "Sigmoid", "Softmax", "Clip"};

}  // namespace

int fold_qdq(ir::Graph& g, const std::vector<Backend*>& backends) {
  g.rebuild_links();
  int rewrites = 0;
  for (ir::NodeId id : g.topo_order()) {
    Node& op = g.node(id);
    if (op.dead || !op.domain.empty() || !kQuantizable.count(op.op) || op.outputs.size() != 1)
      continue;
    // Output: consumed only by one QuantizeLinear with constant params.
    Node* q = sole_consumer(g, op.outputs[0]);
    if (!q || q->op != "QuantizeLinear") continue;
    auto qp = params_of(g, *q);
    if (!qp || qp->per_channel()) continue;
    // Inputs: each non-constant-shape operand comes from a DequantizeLinear
    // of an int8/uint8/int32 value with constant params.
    std::vector<ValueId> new_in = op.inputs;
    std::vector<std::pair<ValueId, ir::QuantParams>> tag;
    std::vector<Node*> dqs;
    bool ok = true;
    for (size_t i = 0; i < op.inputs.size() && ok; ++i) {
      ValueId v = op.inputs[i];
      if (v == ir::kNoValue) continue;
      Node* dq = producer(g, v);
      if (!dq || dq->op != "DequantizeLinear") {
        // Shape-like inputs (Reshape's shape) are allowed, and Clip's
        // bounds, which stay real numbers (the backend applies them to the
        // dequantised value before requantising).
        const ir::Value& val = g.value(v);
        ok = val.is_constant() && (!ir::dtype_is_float(val.dtype) || (op.op == "Clip" && i > 0));
        continue;
      }
      auto p = params_of(g, *dq);
      ValueId src = dq->inputs[0];
      if (!p || !ir::quant_storage_type(g.value(src).dtype)) {
        ok = false;
        break;
      }
      new_in[i] = src;
      tag.emplace_back(src, *p);
      dqs.push_back(dq);
    }
    if (!ok || tag.empty()) continue;
    // Quant params must not conflict with what another region recorded.
    for (auto& [v, p] : tag)
      if (g.value(v).quant && !(*g.value(v).quant == p)) ok = false;
    ValueId out = q->outputs[0];
    if (!ok || (g.value(out).quant && !(*g.value(out).quant == *qp))) continue;

    Node saved = op;
    std::vector<std::optional<ir::QuantParams>> saved_q;
    for (auto& [v, p] : tag) saved_q.push_back(g.value(v).quant);
    auto saved_out_q = g.value(out).quant;
    for (auto& [v, p] : tag) g.value(v).quant = p;
    g.value(out).quant = *qp;
    op.inputs = new_in;
    op.outputs[0] = out;
    if (!any_supports(g, op, backends)) {
      op = std::move(saved);
      for (size_t k = 0; k < tag.size(); ++k) g.value(tag[k].first).quant = saved_q[k];
      g.value(out).quant = saved_out_q;
      continue;
    }
    q->dead = true;
    ++rewrites;
    g.rebuild_links();
    // DQ nodes die when nothing else reads their float output.
    for (Node* dq : dqs) {
      bool used = g.is_graph_output(dq->outputs[0]);
      for (ir::NodeId c : g.value(dq->outputs[0]).consumers)
        if (!g.node(c).dead) used = true;
      if (!used) dq->dead = true;
    }
    g.rebuild_links();
  }
  if (rewrites) g.compact();
  return rewrites;
}

}  // namespace rnpu::passes
