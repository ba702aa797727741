// Elementwise ops: unary functions, broadcast binary arithmetic, Clip,
// inference BatchNormalization, and the no-op Identity/Dropout.
#include <cmath>
#include <limits>
#include <map>

#include "ops.h"
#include "shaders/opcodes.h"

namespace rnpu::vk {

namespace {

struct UnaryDef {
  int op;
  const char* alpha_attr;
  float alpha;
  const char* beta_attr;
  float beta;
};

const std::map<std::string, UnaryDef>& unary_defs() {
  static const std::map<std::string, UnaryDef> m = {
      {"Relu", {OP_RELU, nullptr, 0, nullptr, 0}},
      {"Sigmoid", {OP_SIGMOID, nullptr, 0, nullptr, 0}},
      {"Tanh", {OP_TANH, nullptr, 0, nullptr, 0}},
      {"LeakyRelu", {OP_LEAKY_RELU, "alpha", 0.01f, nullptr, 0}},
      {"Elu", {OP_ELU, "alpha", 1.0f, nullptr, 0}},
      {"Selu", {OP_SELU, "alpha", 1.67326319217681884765625f, "gamma", 1.05070102214813232421875f}},
      {"HardSigmoid", {OP_HARD_SIGMOID, "alpha", 0.2f, "beta", 0.5f}},
      {"HardSwish", {OP_HARD_SWISH, nullptr, 0, nullptr, 0}},
      {"Erf", {OP_ERF, nullptr, 0, nullptr, 0}},
      {"Exp", {OP_EXP, nullptr, 0, nullptr, 0}},
      {"Log", {OP_LOG, nullptr, 0, nullptr, 0}},
      {"Sqrt", {OP_SQRT, nullptr, 0, nullptr, 0}},
      {"Abs", {OP_ABS, nullptr, 0, nullptr, 0}},
      {"Neg", {OP_NEG, nullptr, 0, nullptr, 0}},
      {"Reciprocal", {OP_RECIPROCAL, nullptr, 0, nullptr, 0}},
      {"Softplus", {OP_SOFTPLUS, nullptr, 0, nullptr, 0}},
      {"Floor", {OP_FLOOR, nullptr, 0, nullptr, 0}},
      {"Ceil", {OP_CEIL, nullptr, 0, nullptr, 0}},
      {"Sin", {OP_SIN, nullptr, 0, nullptr, 0}},
      {"Cos", {OP_COS, nullptr, 0, nullptr, 0}},
      {"Round", {OP_ROUND, nullptr, 0, nullptr, 0}},
      {"Sign", {OP_SIGN, nullptr, 0, nullptr, 0}},
      {"Mish", {OP_MISH, nullptr, 0, nullptr, 0}},
      {"Softsign", {OP_SOFTSIGN, nullptr, 0, nullptr, 0}},
      {"ThresholdedRelu", {OP_THRESHOLDED_RELU, "alpha", 1.0f, nullptr, 0}},
      {"Gelu", {OP_GELU, nullptr, 0, nullptr, 0}},
  };
  return m;
}

Support check_unary(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (n.inputs.size() != 1 || n.outputs.size() != 1) return Support::no("expects 1 input/output");
  if (!float_types(g, n, caps, &why)) return Support::no(why);
  if (n.op == "Gelu") {
    std::string a = n.attrs.get_string("approximate", "none");
    if (a != "none" && a != "tanh") return Support::no("approximate='" + a + "' unsupported");
  }
  return Support::yes();
}

void emit_unary(Lowerer& L, ir::ValueId x, ir::ValueId y, std::vector<uint32_t> spec) {
  Kernel(L, L.shader("unary", L.dtype(y)))
      .spec(std::move(spec))
      .in(0, L.ref(x))
      .out(3, L.ref(y))
      .u32(uint64_t(L.numel(y)))
      .grid(uint64_t(L.numel(y)))
      .emit();
}

void lower_unary(Lowerer& L, const ir::Node& n) {
  const UnaryDef& d = unary_defs().at(n.op);
  int op = d.op;
  if (n.op == "Gelu" && n.attrs.get_string("approximate", "none") == "tanh") op = OP_GELU_TANH;
  float a = d.alpha_attr ? n.attrs.get_float(d.alpha_attr, d.alpha) : d.alpha;
  float b = d.beta_attr ? n.attrs.get_float(d.beta_attr, d.beta) : d.beta;
  emit_unary(L, n.inputs[0], n.outputs[0], {uint32_t(op), f32_bits(a), f32_bits(b)});
}

// Clip bounds: attributes before opset 11, optional constant inputs after.
bool clip_bounds(const ir::Graph& g, const ir::Node& n, float* lo, float* hi) {
  *lo = -std::numeric_limits<float>::infinity();
  *hi = std::numeric_limits<float>::infinity();
  if (n.opset < 11) {
    *lo = n.attrs.get_float("min", *lo);
    *hi = n.attrs.get_float("max", *hi);
    return true;
  }
  for (size_t i = 1; i < n.inputs.size() && i < 3; ++i) {
    ir::ValueId v = n.inputs[i];
    if (v == ir::kNoValue) continue;
    const ir::Value& val = g.value(v);
    if (!val.constant || val.constant->numel() != 1 || !ir::dtype_is_float(val.dtype)) return false;
    (i == 1 ? *lo : *hi) = float(val.constant->get_double(0));
  }
  return true;
}

Support check_clip(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (!float_types(g, n, caps, &why)) return Support::no(why);
  float lo, hi;
  if (!clip_bounds(g, n, &lo, &hi)) return Support::no("non-constant min/max");
  return Support::yes();
}

void lower_clip(Lowerer& L, const ir::Node& n) {
  float lo, hi;
  clip_bounds(L.graph(), n, &lo, &hi);
  emit_unary(L, n.inputs[0], n.outputs[0], {OP_CLIP, f32_bits(lo), f32_bits(hi)});
}

// ---- binary ----

const std::map<std::string, int>& binary_ops() {
  static const std::map<std::string, int> m = {
      {"Add", BOP_ADD}, {"Sub", BOP_SUB}, {"Mul", BOP_MUL}, {"Div", BOP_DIV},
      {"Pow", BOP_POW}, {"Max", BOP_MAX}, {"Min", BOP_MIN}, {"PRelu", BOP_PRELU},
      {"Sum", BOP_ADD}, {"Mean", BOP_ADD}};
  return m;
}

bool variadic(const std::string& op) {
  return op == "Sum" || op == "Mean" || op == "Max" || op == "Min";
}

Support check_binary(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (n.outputs.size() != 1) return Support::no("expects 1 output");
  if (variadic(n.op) ? n.inputs.empty() : n.inputs.size() != 2)
    return Support::no("expects 2 inputs");
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (!float_types(g, n, caps, &why, {i})) return Support::no(why);
  return Support::yes();
}

}  // namespace

// Shared with other files: o = act(a op b) with broadcasting.
void emit_binary(Lowerer& L, int op, Ref a, const std::vector<int64_t>& ad, Ref b,
                 const std::vector<int64_t>& bd, Ref o, const std::vector<int64_t>& od, ir::DType t,
                 std::vector<uint32_t> act) {
  size_t r = od.size();
  if (ad.size() > r || bd.size() > r) L.fail("operand rank exceeds the output rank");
  std::vector<int64_t> pa = pad_dims(ad, r), pb = pad_dims(bd, r);
  std::vector<int64_t> sa = strides_of(pa), sb = strides_of(pb);
  for (size_t i = 0; i < r; ++i) {
    if (pa[i] == 1 && od[i] != 1) sa[i] = 0;
    if (pb[i] == 1 && od[i] != 1) sb[i] = 0;
  }
  // Merge neighbouring dims that are contiguous in both operands.
  std::vector<int64_t> md, ma, mb;
  for (size_t i = 0; i < r; ++i) {
    if (od[i] == 1) continue;
    if (!md.empty() && ma.back() == sa[i] * od[i] && mb.back() == sb[i] * od[i]) {
      md.back() *= od[i];
      ma.back() = sa[i];
      mb.back() = sb[i];
      continue;
    }
    md.push_back(od[i]);
    ma.push_back(sa[i]);
    mb.push_back(sb[i]);
  }
  if (md.size() > 6) L.fail("broadcast over more than 6 independent dims");
  int64_t n = 1;
  for (int64_t d : od) n *= d;
  int64_t na = 1, nb = 1;
  for (int64_t d : ad) na *= d;
  for (int64_t d : bd) nb *= d;
  bool same = na == n && nb == n;
  uint32_t run = L.caps().cpu_kernels ? 16 : 1;
  act.push_back(uint32_t(op));
  act.push_back(same ? 1u : 0u);
  act.push_back(run);
  Kernel k(L, L.shader("binary", t));
  k.spec(std::move(act)).in(0, a).in(1, b).out(3, o).u32(uint64_t(n));
  std::vector<int64_t> pd = pad_dims(md, 6);
  size_t lead = 6 - md.size();
  for (size_t i = 0; i < 6; ++i) k.u32(uint64_t(pd[i]));
  for (size_t i = 0; i < 6; ++i) k.u32(uint64_t(i < lead ? 0 : ma[i - lead]));
  for (size_t i = 0; i < 6; ++i) k.u32(uint64_t(i < lead ? 0 : mb[i - lead]));
  int64_t row = pd[5];
  uint64_t units = same ? uint64_t((n + run - 1) / run)
                        : uint64_t(row ? n / row : 0) * uint64_t((row + run - 1) / run);
  k.grid(units).emit();
}

namespace {

// Sum/Mean/Max/Min of any number of inputs: pairwise into the output,
// then in place (same index read and written by one invocation).
void lower_variadic(Lowerer& L, const ir::Node& n) {
  ir::ValueId y = n.outputs[0];
  int op = n.op == "Max" ? BOP_MAX : n.op == "Min" ? BOP_MIN : BOP_ADD;
  const auto& yd = L.dims(y);
  std::vector<uint32_t> none = {OP_NONE, 0, 0};
  if (n.inputs.size() == 1) {
    L.alias(y, n.inputs[0]);
    return;
  }
  emit_binary(L, op, L.ref(n.inputs[0]), L.dims(n.inputs[0]), L.ref(n.inputs[1]),
              L.dims(n.inputs[1]), L.ref(y), yd, L.dtype(y), none);
  for (size_t i = 2; i < n.inputs.size(); ++i)
    emit_binary(L, op, L.ref(y), yd, L.ref(n.inputs[i]), L.dims(n.inputs[i]), L.ref(y), yd,
                L.dtype(y), none);
  if (n.op == "Mean") {
    float inv = 1.0f / float(n.inputs.size());
    emit_binary(L, BOP_MUL, L.ref(y), yd, L.constant_f32({inv}), {}, L.ref(y), yd, L.dtype(y),
                none);
  }
}

void lower_binary(Lowerer& L, const ir::Node& n) {
  if (variadic(n.op) && n.inputs.size() != 2) {
    lower_variadic(L, n);
    return;
  }
  if (n.op == "Sum" || n.op == "Mean") {
    lower_variadic(L, n);
    return;
  }
  std::vector<uint32_t> act;
  if (!activation_spec(n, &act)) L.fail("unknown fused activation");
  ir::ValueId a = n.inputs[0], b = n.inputs[1], y = n.outputs[0];
  std::vector<int64_t> bd = L.dims(b);
  // PRelu's slope broadcasts unidirectionally; ONNX models often give it
  // as [C,1,1] against NCHW, which numpy broadcasting already handles.
  emit_binary(L, binary_ops().at(n.op), L.ref(a), L.dims(a), L.ref(b), bd, L.ref(y), L.dims(y),
              L.dtype(y), std::move(act));
}

// ---- BatchNormalization (inference) ----

Support check_bn(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (n.inputs.size() != 5) return Support::no("expects 5 inputs");
  if (n.attrs.get_int("training_mode", 0) != 0) return Support::no("training mode unsupported");
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (n.outputs[i] != ir::kNoValue) return Support::no("running statistics outputs unsupported");
  if (!float_types(g, n, caps, &why)) return Support::no(why);
  for (size_t i = 1; i < 5; ++i) {
    const ir::Value& v = g.value(n.inputs[i]);
    if (!v.constant || !ir::dtype_is_float(v.dtype))
      return Support::no("non-constant scale/bias/mean/var");
  }
  const ir::Shape& s = g.value(n.inputs[0]).shape;
  if (!s.has_rank || s.rank() < 2) return Support::no("input rank < 2");
  return Support::yes();
}

void lower_bn(Lowerer& L, const ir::Node& n) {
  const ir::Graph& g = L.graph();
  const auto& x = L.dims(n.inputs[0]);
  int64_t c = x[1], inner = 1;
  for (size_t i = 2; i < x.size(); ++i) inner *= x[i];
  float eps = n.attrs.get_float("epsilon", 1e-5f);
  std::vector<float> s(static_cast<size_t>(c)), b(static_cast<size_t>(c));
  const ir::ConstTensor* t[4];
  for (int i = 0; i < 4; ++i) {
    t[i] = g.value(n.inputs[size_t(i + 1)]).constant.get();
    if (t[i]->numel() != c) L.fail("scale/bias/mean/var length differs from the channel count");
  }
  for (int64_t k = 0; k < c; ++k) {
    double sc = t[0]->get_double(k) / std::sqrt(t[3]->get_double(k) + eps);
    s[size_t(k)] = float(sc);
    b[size_t(k)] = float(t[1]->get_double(k) - t[2]->get_double(k) * sc);
  }
  std::vector<uint32_t> act;
  if (!activation_spec(n, &act)) L.fail("unknown fused activation");
  ir::ValueId y = n.outputs[0];
  Kernel(L, L.shader("affine", L.dtype(y)))
      .spec(act)
      .in(0, L.ref(n.inputs[0]))
      .in(1, L.constant_f32(s))
      .in(2, L.constant_f32(b))
      .out(3, L.ref(y))
      .u32(uint64_t(L.numel(y)))
      .u32(uint64_t(inner))
      .u32(uint64_t(c))
      .grid(uint64_t(L.numel(y)))
      .emit();
}

// ---- Identity / Dropout (inference) ----

Support check_identity(const ir::Graph& g, const ir::Node& n, const Caps&) {
  if (n.inputs.empty() || n.outputs.empty()) return Support::no("missing input/output");
  if (n.op == "Dropout") {
    if (n.outputs.size() > 1 && n.outputs[1] != ir::kNoValue)
      return Support::no("mask output unsupported");
    if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue) {
      const ir::Value& t = g.value(n.inputs[2]);
      if (!t.constant || t.constant->get_int(0) != 0) return Support::no("training mode");
    }
  }
  return Support::yes();
}

void lower_identity(Lowerer& L, const ir::Node& n) {
  L.alias(n.outputs[0], n.inputs[0]);
}

// ---- Cast ----

Support check_cast(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  if (n.inputs.size() != 1 || n.outputs.size() != 1) return Support::no("expects 1 input/output");
  ir::DType from = g.value(n.inputs[0]).dtype, to = g.value(n.outputs[0]).dtype;
  if (from == to) return Support::yes();
  bool f = (from == ir::DType::kFloat32 && to == ir::DType::kFloat16) ||
           (from == ir::DType::kFloat16 && to == ir::DType::kFloat32);
  if (!f)
    return Support::no(std::string("cast ") + ir::dtype_name(from) + " -> " + ir::dtype_name(to));
  if (!caps.fp16_storage) return Support::no("device lacks 16-bit storage");
  return Support::yes();
}

void lower_cast(Lowerer& L, const ir::Node& n) {
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  if (L.dtype(x) == L.dtype(y)) {
    L.alias(y, x);
    return;
  }
  uint64_t total = uint64_t(L.numel(y));
  Kernel(L, "cast_f16")
      .spec({0, 0, 0, L.dtype(y) == ir::DType::kFloat32 ? 1u : 0u})
      .in(0, L.ref(x))
      .out(3, L.ref(y))
      .u32(total)
      .grid(total)
      .emit();
}

}  // namespace

std::vector<OpEntry> elementwise_ops() {
  std::vector<OpEntry> v;
  for (const auto& [name, d] : unary_defs())
    v.push_back({name.c_str(), {check_unary, lower_unary, false}});
  v.push_back({"Clip", {check_clip, lower_clip, false}});
  for (const auto& [name, op] : binary_ops())
    v.push_back({name.c_str(),
                 {check_binary, lower_binary,
                  name == "Add" || name == "Sub" || name == "Mul" || name == "Div"}});
  v.push_back({"BatchNormalization", {check_bn, lower_bn, false}});
  v.push_back({"Identity", {check_identity, lower_identity, false}});
  v.push_back({"Cast", {check_cast, lower_cast, false}});
  v.push_back({"Dropout", {check_identity, lower_identity, false}});
  return v;
}

}  // namespace rnpu::vk
