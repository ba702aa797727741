// QDQ regions (passes/qdq.h): matching, folding, and the canonical
// one-DequantizeLinear-per-region form.
#include "passes/qdq.h"

#include <algorithm>
#include <set>

#include "ir/quant_ops.h"

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

// The QuantizeLinear closing a region around op, else nullptr.
const Node* region_q(const ir::Graph& g, const Node& op) {
  if (op.dead || !op.domain.empty() || !kQuantizable.count(op.op) || op.outputs.size() != 1)
    return nullptr;
  const Node* q = sole_consumer(g, op.outputs[0]);
  return q && q->op == "QuantizeLinear" ? q : nullptr;
}

}  // namespace

bool qdq_region_input(const ir::Graph& g, const ir::Node& n) {
  if (n.op != "DequantizeLinear" || !n.domain.empty() || n.outputs.empty() ||
      n.outputs[0] == ir::kNoValue)
    return false;
  const Node* op = sole_consumer(g, n.outputs[0]);
  return op && region_q(g, *op);
}

int annotate_qdq(ir::Graph& g) {
  // Per value: the params every Q/DQ touching it agrees on (nullopt: none
  // yet), or a conflict.
  std::vector<std::optional<ir::QuantParams>> want(g.values.size());
  std::vector<char> conflict(g.values.size(), 0);
  for (const Node& n : g.nodes) {
    if (n.dead || !n.domain.empty() || n.inputs.empty() || n.outputs.empty()) continue;
    ValueId v;
    if (n.op == "QuantizeLinear")
      v = n.outputs[0];
    else if (n.op == "DequantizeLinear")
      v = n.inputs[0];
    else
      continue;
    if (v == ir::kNoValue || g.value(v).is_constant() || !ir::quant_storage_type(g.value(v).dtype))
      continue;
    auto p = params_of(g, n);
    if (!p || p->per_channel()) {
      conflict[size_t(v)] = 1;
      continue;
    }
    if (want[size_t(v)] && !(*want[size_t(v)] == *p)) conflict[size_t(v)] = 1;
    want[size_t(v)] = *p;
  }
  int n = 0;
  for (size_t v = 0; v < g.values.size(); ++v)
    if (want[v] && !conflict[v] && !g.values[v].quant) {
      g.values[v].quant = want[v];
      ++n;
    }
  return n;
}

int unique_dequantize(ir::Graph& g) {
  g.rebuild_links();
  int copies = 0;
  const size_t count = g.nodes.size();  // copies are appended; never revisited
  for (size_t id = 0; id < count; ++id) {
    if (g.nodes[id].dead || g.nodes[id].op != "DequantizeLinear" || !g.nodes[id].domain.empty() ||
        g.nodes[id].outputs.size() != 1)
      continue;
    ValueId out = g.nodes[id].outputs[0];
    if (out == ir::kNoValue) continue;
    // Uses by region ops, and whether anything else reads the value.
    std::vector<std::pair<ir::NodeId, size_t>> region_uses;
    bool other_use = g.is_graph_output(out);
    std::vector<ir::NodeId> consumers = g.value(out).consumers;
    std::sort(consumers.begin(), consumers.end());
    consumers.erase(std::unique(consumers.begin(), consumers.end()), consumers.end());
    for (ir::NodeId c : consumers) {
      const Node& cn = g.node(c);
      if (cn.dead) continue;
      bool region = region_q(g, cn) != nullptr;
      for (size_t i = 0; i < cn.inputs.size(); ++i)
        if (cn.inputs[i] == out) {
          if (region)
            region_uses.emplace_back(c, i);
          else
            other_use = true;
        }
    }
    // The original stays with the other readers, else with the first region.
    size_t first_copy = other_use ? 0 : 1;
    if (region_uses.size() <= first_copy) continue;
    for (size_t k = first_copy; k < region_uses.size(); ++k) {
      auto [c, i] = region_uses[k];
      // A region op reading the value twice (Mul(x, x)) shares one copy.
      if (k > 0 && region_uses[k - 1].first == c) {
        g.node(c).inputs[i] = g.node(c).inputs[region_uses[k - 1].second];
        continue;
      }
      ir::Value v = g.value(out);  // a copy: add_value may reallocate
      v.producer = ir::kNoNode;
      v.consumers.clear();
      ValueId dup = g.add_value(std::move(v));
      Node d = g.nodes[id];
      d.name = g.unique_node_name(d.name + "_dup");
      d.outputs = {dup};
      g.add_node(std::move(d));
      g.node(c).inputs[i] = dup;
      ++copies;
    }
  }
  if (copies) g.rebuild_links();
  return copies;
}

int fold_qdq(ir::Graph& g, const Rewrite& r) {
  g.rebuild_links();
  int rewrites = 0;
  for (ir::NodeId id : g.topo_order()) {
    Node& op = g.node(id);
    // Output: consumed only by one QuantizeLinear with constant params.
    Node* q = const_cast<Node*>(region_q(g, op));
    if (!q) continue;
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
      // The DequantizeLinear must die with the region (it is the region's
      // own: unique_dequantize), so whoever claims the region has it all.
      if (g.is_graph_output(v)) ok = false;
      for (ir::NodeId c : g.value(v).consumers)
        if (c != id && !g.node(c).dead) ok = false;
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
    if (!r.accept(g, op)) {
      op = std::move(saved);
      for (size_t k = 0; k < tag.size(); ++k) g.value(tag[k].first).quant = saved_q[k];
      g.value(out).quant = saved_out_q;
      continue;
    }
    q->dead = true;
    RewriteLog::Entry e{id, {id_of(g, q)}};
    for (Node* dq : dqs)
      if (!dq->dead) {
        dq->dead = true;
        e.removed.push_back(id_of(g, dq));
      }
    if (r.log) r.log->entries.push_back(std::move(e));
    ++rewrites;
    g.rebuild_links();
  }
  if (rewrites && r.compact) g.compact();
  return rewrites;
}

}  // namespace rnpu::passes
