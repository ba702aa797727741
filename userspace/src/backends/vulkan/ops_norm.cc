// Softmax, LogSoftmax and LayerNormalization.
#include "ops.h"

namespace rnpu::vk {

namespace {

Support check_softmax(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (!float_types(g, n, caps, &why)) return Support::no(why);
  if (!g.value(n.inputs[0]).shape.has_rank) return Support::no("unknown rank");
  return Support::yes();
}

void lower_softmax(Lowerer& L, const ir::Node& n) {
  const auto& x = L.dims(n.inputs[0]);
  int64_t rank = int64_t(x.size());
  int64_t axis = n.attrs.get_int("axis", n.opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  if (rank == 0) axis = 0;
  if (axis < 0 || (rank > 0 && axis >= rank)) L.fail("axis out of range");
  int64_t outer = 1, r = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (i < axis)
      outer *= x[size_t(i)];
    else if (i == axis || n.opset < 13)  // before opset 13: flattened from axis on
      r *= x[size_t(i)];
    else
      inner *= x[size_t(i)];
  }
  bool rows = inner == 1 && r >= (L.caps().cpu_kernels ? 8192 : 64);
  Kernel k(L, L.shader("softmax", L.dtype(n.outputs[0])));
  k.spec({0, 0, 0, n.op == "LogSoftmax" ? 1u : 0u, rows ? 1u : 0u})
      .in(0, L.ref(n.inputs[0]))
      .out(3, L.ref(n.outputs[0]))
      .u32(uint64_t(outer))
      .u32(uint64_t(r))
      .u32(uint64_t(inner));
  if (rows)
    k.grid(uint64_t(outer) * 256, 256);
  else
    k.grid(uint64_t(outer * inner));
  k.emit();
}

Support check_layernorm(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (n.inputs.size() < 2) return Support::no("expects X, Scale[, B]");
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (n.outputs[i] != ir::kNoValue) return Support::no("Mean/InvStdDev outputs unsupported");
  if (!float_types(g, n, caps, &why, {0, 1, 2})) return Support::no(why);
  if (n.attrs.has("stash_type") && n.attrs.get_int("stash_type", 1) != 1)
    return Support::no("stash_type other than float");
  if (!g.value(n.inputs[0]).shape.has_rank) return Support::no("unknown rank");
  return Support::yes();
}

void lower_layernorm(Lowerer& L, const ir::Node& n) {
  const auto& x = L.dims(n.inputs[0]);
  int64_t rank = int64_t(x.size());
  int64_t axis = n.attrs.get_int("axis", -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) L.fail("axis out of range");
  int64_t outer = 1, r = 1;
  for (int64_t i = 0; i < rank; ++i) (i < axis ? outer : r) *= x[size_t(i)];
  bool beta = n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue;
  if (L.numel(n.inputs[1]) != r || (beta && L.numel(n.inputs[2]) != r))
    L.fail("scale/bias broadcasting within the normalised dims is unsupported");
  bool rows = !L.caps().cpu_kernels || r >= 8192;
  Kernel k(L, L.shader("layernorm", L.dtype(n.outputs[0])));
  k.spec({0, 0, 0, beta ? 1u : 0u, rows ? 1u : 0u})
      .in(0, L.ref(n.inputs[0]))
      .in(1, L.ref(n.inputs[1]))
      .out(3, L.ref(n.outputs[0]))
      .u32(uint64_t(outer))
      .u32(uint64_t(r))
      .f32(n.attrs.get_float("epsilon", 1e-5f));
  if (beta) k.in(2, L.ref(n.inputs[2]));
  if (rows)
    k.grid(uint64_t(outer) * 256, 256);
  else
    k.grid(uint64_t(outer));
  k.emit();
}

}  // namespace

std::vector<OpEntry> norm_ops() {
  return {{"Softmax", {check_softmax, lower_softmax, false}},
          {"LogSoftmax", {check_softmax, lower_softmax, false}},
          {"LayerNormalization", {check_layernorm, lower_layernorm, false}}};
}

}  // namespace rnpu::vk
