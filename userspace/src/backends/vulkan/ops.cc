#include "ops.h"

#include <limits>
#include <map>

#include "ir/fused_activation.h"
#include "shaders/opcodes.h"

namespace rnpu::vk {

const OpImpl* find_op(const std::string& op) {
  static const std::map<std::string, OpImpl> table = [] {
    std::map<std::string, OpImpl> t;
    for (auto* f : {elementwise_ops, conv_ops, gemm_ops, pool_ops, norm_ops, data_ops, quant_ops})
      for (const OpEntry& e : f()) t[e.name] = e.impl;
    return t;
  }();
  auto it = table.find(op);
  return it == table.end() ? nullptr : &it->second;
}

bool activation_spec(const ir::Node& n, std::vector<uint32_t>* spec) {
  const ir::Attribute* a = n.attrs.find("rnpu.activation");
  const ir::FusedActivation fa = ir::fused_activation(n);
  float alpha = fa.alpha;
  float beta = fa.beta;
  int op = OP_NONE;
  if (a) {
    const std::string& s = a->s;
    if (s == "Relu") {
      op = OP_RELU;
    } else if (s == "LeakyRelu") {
      op = OP_LEAKY_RELU;
    } else if (s == "Clip") {
      op = OP_CLIP;
    } else if (s == "Sigmoid") {
      op = OP_SIGMOID;
    } else if (s == "Tanh") {
      op = OP_TANH;
    } else if (s == "HardSigmoid") {
      op = OP_HARD_SIGMOID;
    } else if (s == "HardSwish") {
      op = OP_HARD_SWISH;
    } else if (s == "Gelu") {
      op = OP_GELU;
    } else {
      return false;
    }
  }
  spec->assign({uint32_t(op), f32_bits(alpha), f32_bits(beta)});
  return true;
}

bool float_types(const ir::Graph& g, const ir::Node& n, const Caps& caps, std::string* why,
                 std::initializer_list<size_t> inputs) {
  ir::DType first = ir::DType::kUndefined;
  auto ok = [&](ir::ValueId v) {
    if (v == ir::kNoValue) return true;
    ir::DType t = g.value(v).dtype;
    if (t != ir::DType::kFloat32 && !(t == ir::DType::kFloat16 && caps.fp16_storage)) {
      *why = std::string("dtype ") + ir::dtype_name(t) + " unsupported";
      return false;
    }
    if (first == ir::DType::kUndefined) first = t;
    if (t != first) {
      *why = "mixed float16/float32 operands";
      return false;
    }
    return true;
  };
  for (ir::ValueId v : n.outputs)
    if (!ok(v)) return false;
  for (size_t i : inputs)
    if (i < n.inputs.size() && !ok(n.inputs[i])) return false;
  return true;
}

bool const_ints(const ir::Graph& g, ir::ValueId v, std::vector<int64_t>* out) {
  if (v == ir::kNoValue || !g.value(v).constant) return false;
  const ir::ConstTensor& c = *g.value(v).constant;
  if (!ir::dtype_is_int(c.dtype)) return false;
  *out = c.to_ints();
  return true;
}

std::vector<int64_t> pad_dims(const std::vector<int64_t>& d, size_t rank) {
  std::vector<int64_t> r(rank > d.size() ? rank - d.size() : 0, 1);
  r.insert(r.end(), d.begin(), d.end());
  return r;
}

std::vector<int64_t> strides_of(const std::vector<int64_t>& d) {
  std::vector<int64_t> s(d.size(), 1);
  for (size_t i = d.size(); i-- > 1;) s[i - 1] = s[i] * d[i];
  return s;
}

}  // namespace rnpu::vk
