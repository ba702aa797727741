#include "expand_quant.h"

#include <cstring>
#include <map>
#include <set>

#include "backends/cpu/convert.h"
#include "backends/cpu/kernels/quantized.h"
#include "ir/quant_ops.h"

namespace rnpu::cpu::fast {

namespace {

bool quantized_node(const ir::Graph& g, const ir::Node& n) {
  if (n.dead || ir::quant_aware_op(n.op)) return false;
  for (const auto* list : {&n.inputs, &n.outputs})
    for (ir::ValueId v : *list)
      if (v != ir::kNoValue && g.value(v).quant) return true;
  return false;
}

struct Expander {
  Expanded& e;
  ir::Graph& g;
  size_t original;
  std::map<ir::ValueId, ir::ValueId> dequantized;  // quantised value -> float value

  ir::ValueId add_value(const std::string& hint, ir::DType dt, const ir::Shape& shape,
                        ir::ValueId like) {
    ir::ValueId v = g.new_value(hint, dt, shape);
    e.shape_source.push_back(like);
    return v;
  }
  ir::ValueId add_const(const std::string& hint, std::shared_ptr<ir::ConstTensor> c) {
    ir::ValueId v = g.add_constant(hint, c);
    e.shape_source.push_back(v);
    return v;
  }
  // Scale and zero point constants for a Quantize/DequantizeLinear node.
  std::pair<ir::ValueId, ir::ValueId> params(const ir::Value& q) {
    const ir::QuantParams& p = *q.quant;
    int64_t n = int64_t(p.scale.size());
    auto s = ir::ConstTensor::make(ir::DType::kFloat32,
                                   n > 1 ? std::vector<int64_t>{n} : std::vector<int64_t>{});
    std::memcpy(s->mutable_data(), p.scale.data(), size_t(n) * 4);
    auto z =
        ir::ConstTensor::make(q.dtype, n > 1 ? std::vector<int64_t>{n} : std::vector<int64_t>{});
    for (int64_t i = 0; i < n; ++i) {
      int32_t zp = i < int64_t(p.zero_point.size()) ? p.zero_point[size_t(i)] : 0;
      if (q.dtype == ir::DType::kInt8)
        static_cast<int8_t*>(z->mutable_data())[i] = int8_t(zp);
      else if (q.dtype == ir::DType::kUInt8)
        static_cast<uint8_t*>(z->mutable_data())[i] = uint8_t(zp);
      else
        static_cast<int32_t*>(z->mutable_data())[i] = zp;
    }
    return {add_const(q.name + "_scale", s), add_const(q.name + "_zp", z)};
  }

  ir::ValueId float_input(ir::ValueId v) {
    if (auto it = dequantized.find(v); it != dequantized.end()) return it->second;
    const ir::Value val = g.value(v);  // copy: adding values may reallocate
    ir::ValueId f;
    if (val.constant) {
      Tensor q = const_view(val.constant);
      Tensor d = dequantize_tensor(q, *quant_of(val));
      auto c = ir::ConstTensor::make(ir::DType::kFloat32, d.shape);
      std::memcpy(c->mutable_data(), d.data, d.nbytes());
      f = add_const(val.name + "_dq", c);
    } else {
      f = add_value(val.name + "_dq", ir::DType::kFloat32, val.shape, v);
      auto [s, z] = params(val);
      ir::Node dq;
      dq.name = g.unique_node_name(val.name + "_dequantize");
      dq.op = "DequantizeLinear";
      dq.opset = 13;
      dq.inputs = {v, s, z};
      dq.outputs = {f};
      if (val.quant->scale.size() > 1) dq.attrs.set_int("axis", val.quant->axis);
      g.add_node(dq);
    }
    dequantized[v] = f;
    return f;
  }

  void expand(size_t id) {
    std::vector<ir::ValueId> ins = g.nodes[id].inputs, outs = g.nodes[id].outputs;
    for (ir::ValueId& v : ins)
      if (v != ir::kNoValue && g.value(v).quant) v = float_input(v);
    std::vector<ir::Node> quantizers;
    for (ir::ValueId& o : outs) {
      if (o == ir::kNoValue || !g.value(o).quant) continue;
      const ir::Value val = g.value(o);
      ir::ValueId f = add_value(val.name + "_f", ir::DType::kFloat32, val.shape, o);
      auto [s, z] = params(val);
      ir::Node q;
      q.name = g.unique_node_name(val.name + "_quantize");
      q.op = "QuantizeLinear";
      q.opset = 13;
      q.inputs = {f, s, z};
      q.outputs = {o};
      if (val.quant->scale.size() > 1) q.attrs.set_int("axis", val.quant->axis);
      quantizers.push_back(q);
      o = f;
    }
    g.nodes[id].inputs = ins;
    g.nodes[id].outputs = outs;
    for (ir::Node& q : quantizers) g.add_node(q);
  }
};

}  // namespace

bool has_quantized_nodes(const ir::Graph& g) {
  for (const ir::Node& n : g.nodes)
    if (quantized_node(g, n)) return true;
  return false;
}

Expanded expand_quantized(const ir::Graph& src) {
  Expanded e;
  e.graph = src;
  Expander x{e, e.graph, src.values.size(), {}};
  size_t n = e.graph.nodes.size();
  for (size_t i = 0; i < n; ++i)
    if (quantized_node(e.graph, e.graph.nodes[i])) x.expand(i);
  e.graph.rebuild_links();
  return e;
}

}  // namespace rnpu::cpu::fast
