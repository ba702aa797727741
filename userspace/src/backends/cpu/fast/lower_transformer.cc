// LayerNormalization, Gelu and Erf on the fast path's own vectorised
// kernels (XNNPACK of 2022 has none of them).
#include "compiler.h"
#include "float_kernels.h"
#include "lower.h"

namespace rnpu::cpu::fast {

namespace {

bool lower_layer_norm(Compiler& c, const ir::Node& n) {
  if (n.inputs.size() < 2 || n.outputs.empty()) return false;
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (n.outputs[i] != ir::kNoValue) return false;  // Mean / InvStdDev outputs
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  if (!c.is_f32(x) || !c.is_f32(y) || c.info(x).shape != c.info(y).shape) return false;
  const Shape& s = c.info(x).shape;
  int64_t rank = int64_t(s.size());
  int64_t axis = n.attrs.get_int("axis", -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return false;
  int64_t rows = 1;
  for (int64_t d = 0; d < axis; ++d) rows *= s[size_t(d)];
  int64_t cols = shape_numel(s) / std::max<int64_t>(rows, 1);
  const Tensor* scale = c.constant(n.inputs[1]);
  const Tensor* bias =
      n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue ? c.constant(n.inputs[2]) : nullptr;
  if (!scale || scale->dtype != DType::kF32 || scale->numel() != cols) return false;
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue &&
      (!bias || bias->dtype != DType::kF32 || bias->numel() != cols))
    return false;
  float eps = n.attrs.get_float("epsilon", 1e-5f);
  OutPlan plan = c.plan_output(n, y, false);
  TensorRef rx = c.nchw(x);
  TensorRef ry = c.define(plan.value, false);
  Tensor sc = *scale, bi = bias ? *bias : Tensor();
  c.add_step(std::make_unique<LambdaStep>([=](FastState& st) {
               layer_norm_f32(static_cast<const float*>(rx.ptr(st)),
                              static_cast<float*>(ry.ptr(st)), rows, cols, sc.as<float>(),
                              bi.data ? bi.as<float>() : nullptr, eps, st.pool());
             }),
             n, {rx}, {ry});
  c.post_activation(plan, ry, n);
  return true;
}

bool lower_gelu_erf(Compiler& c, const ir::Node& n) {
  if (n.inputs.size() != 1 || n.outputs.size() != 1) return false;
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  if (!c.is_f32(x) || !c.is_f32(y) || c.info(x).shape != c.info(y).shape) return false;
  if (n.op == "Gelu" && n.attrs.get_string("approximate", "none") != "none") return false;
  OutPlan plan = c.plan_output(n, y, false);
  bool nhwc = c.info(x).home_nhwc && c.info(x).shape.size() == 4;
  TensorRef rx = nhwc ? c.nhwc(x) : c.nchw(x);
  TensorRef ry = c.define(plan.value, nhwc);
  int64_t count = shape_numel(rx.shape);
  bool gelu = n.op == "Gelu";
  c.add_step(std::make_unique<LambdaStep>([=](FastState& st) {
               auto* in = static_cast<const float*>(rx.ptr(st));
               auto* out = static_cast<float*>(ry.ptr(st));
               if (gelu)
                 gelu_f32(in, out, count, st.pool());
               else
                 erf_f32(in, out, count, st.pool());
             }),
             n, {rx}, {ry});
  c.post_activation(plan, ry, n);
  return true;
}

}  // namespace

bool lower_transformer_family(Compiler& c, const ir::Node& n) {
  if (n.op == "LayerNormalization") return lower_layer_norm(c, n);
  if (n.op == "Gelu" || n.op == "Erf") return lower_gelu_erf(c, n);
  return false;
}

}  // namespace rnpu::cpu::fast
