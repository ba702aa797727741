// QuantizeLinear / DequantizeLinear (int8/uint8, per tensor or per axis).
#include "ops.h"

namespace rnpu::vk {

namespace {

bool is8(ir::DType t) {
  return t == ir::DType::kInt8 || t == ir::DType::kUInt8;
}

Support check_qdq(const ir::Graph& g, const ir::Node& n, const Caps&) {
  if (n.inputs.size() < 2 || n.outputs.size() != 1) return Support::no("expects x, scale[, zp]");
  bool q = n.op == "QuantizeLinear";
  ir::DType in = g.value(n.inputs[0]).dtype, out = g.value(n.outputs[0]).dtype;
  if (q ? (in != ir::DType::kFloat32 || !is8(out)) : (!is8(in) || out != ir::DType::kFloat32))
    return Support::no("only float32 <-> int8/uint8");
  const ir::Value& s = g.value(n.inputs[1]);
  if (!s.constant || s.dtype != ir::DType::kFloat32) return Support::no("non-constant scale");
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue && !g.value(n.inputs[2]).constant)
    return Support::no("non-constant zero point");
  if (n.attrs.has("block_size") && n.attrs.get_int("block_size", 0) != 0)
    return Support::no("blocked quantisation");
  if (!g.value(n.inputs[0]).shape.has_rank) return Support::no("unknown rank");
  return Support::yes();
}

void lower_qdq(Lowerer& L, const ir::Node& n) {
  bool q = n.op == "QuantizeLinear";
  const auto& x = L.dims(n.inputs[0]);
  const ir::ConstTensor& s = *L.graph().value(n.inputs[1]).constant;
  int64_t ch = s.numel();
  int64_t inner = 1;
  if (ch > 1) {
    int64_t axis = n.attrs.get_int("axis", 1);
    if (axis < 0) axis += int64_t(x.size());
    if (axis < 0 || axis >= int64_t(x.size()) || x[size_t(axis)] != ch)
      L.fail("scale length does not match the quantisation axis");
    for (size_t i = size_t(axis) + 1; i < x.size(); ++i) inner *= x[i];
  }
  std::vector<float> sc(size_t(std::max<int64_t>(ch, 1)));
  std::vector<int32_t> zp(sc.size(), 0);
  for (int64_t i = 0; i < ch; ++i) sc[size_t(i)] = float(s.get_double(i));
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue) {
    const ir::ConstTensor& z = *L.graph().value(n.inputs[2]).constant;
    if (z.numel() != ch) L.fail("zero point length differs from the scale's");
    for (int64_t i = 0; i < ch; ++i) zp[size_t(i)] = int32_t(z.get_int(i));
  }
  ir::DType t8 = q ? L.dtype(n.outputs[0]) : L.dtype(n.inputs[0]);
  int64_t total = L.numel(n.inputs[0]);
  Kernel(L, "quant")
      .spec({0, 0, 0, q ? 0u : 1u, t8 == ir::DType::kInt8 ? 1u : 0u})
      .in(0, L.ref(n.inputs[0]))
      .in(1, L.constant_f32(sc))
      .in(2, L.constant(zp.data(), zp.size() * 4))
      .out(3, L.ref(n.outputs[0]))
      .u32(uint64_t(total))
      .u32(uint64_t(inner))
      .u32(uint64_t(std::max<int64_t>(ch, 1)))
      .grid(uint64_t(q ? (total + 3) / 4 : total))
      .emit();
}

}  // namespace

std::vector<OpEntry> quant_ops() {
  return {{"QuantizeLinear", {check_qdq, lower_qdq, false}},
          {"DequantizeLinear", {check_qdq, lower_qdq, false}}};
}

}  // namespace rnpu::vk
