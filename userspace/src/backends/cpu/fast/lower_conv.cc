// Convolutions and pooling to XNNPACK NHWC operators.  Weights are
// repacked (and BatchNormalization folded in) once, here at compile time.
#include <algorithm>
#include <cmath>

#include "backends/cpu/kernels/conv_geom.h"
#include "compiler.h"
#include "lower.h"

namespace rnpu::cpu::fast {

namespace {

// Convolution weights above this size are split by output channel into
// slices of about kConvSliceBytes (see lower_conv).
constexpr int64_t kConvSliceAboveBytes = 4 << 20;
constexpr int64_t kConvSliceBytes = 512 << 10;

// Folds a BatchNormalization that alone consumes the conv output into the
// weights [M, per] and bias [M]; returns the BN output, or kNoValue.
ir::ValueId fold_batch_norm(Compiler& c, ir::ValueId out, std::vector<float>& w,
                            std::vector<float>& b, int64_t m) {
  const ir::Node* bn = c.sole_user(out);
  if (!bn || bn->op != "BatchNormalization" || bn->inputs.size() < 5 || bn->outputs.empty() ||
      bn->inputs[0] != out || !bn->attrs.get_string("rnpu.activation", "").empty())
    return ir::kNoValue;
  if (bn->attrs.get_int("training_mode", 0) != 0) return ir::kNoValue;
  for (size_t i = 1; i < bn->outputs.size(); ++i)
    if (bn->outputs[i] != ir::kNoValue) return ir::kNoValue;
  const Tensor* p[4];
  for (int i = 0; i < 4; ++i) {
    p[i] = c.constant(bn->inputs[size_t(i + 1)]);
    if (!p[i] || p[i]->dtype != DType::kF32 || p[i]->numel() != m) return ir::kNoValue;
  }
  double eps = bn->attrs.get_float("epsilon", 1e-5f);
  int64_t per = int64_t(w.size()) / m;
  for (int64_t k = 0; k < m; ++k) {
    double s = double(p[0]->as<float>()[k]) / std::sqrt(double(p[3]->as<float>()[k]) + eps);
    for (int64_t i = 0; i < per; ++i) w[size_t(k * per + i)] = float(w[size_t(k * per + i)] * s);
    b[size_t(k)] = float((double(b[size_t(k)]) - p[2]->as<float>()[k]) * s + p[1]->as<float>()[k]);
  }
  c.absorb(bn);
  return bn->outputs[0];
}

bool lower_conv(Compiler& c, const ir::Node& n) {
  if (n.inputs.size() < 2 || n.outputs.size() != 1) return false;
  ir::ValueId x = n.inputs[0];
  const Tensor* w = c.constant(n.inputs[1]);
  const Tensor* bias = n.inputs.size() > 2 ? c.constant(n.inputs[2]) : nullptr;
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue && !bias) return false;
  if (!c.is_f32_4d(x) || !w || w->dtype != DType::kF32 || w->rank() != 4) return false;
  if (bias && bias->dtype != DType::kF32) return false;
  const Shape& xs = c.info(x).shape;
  ConvGeom geo;
  try {
    geo = conv_geometry(c.attrs(n), xs, w->shape);
  } catch (const KernelError&) {
    return false;
  }
  if (c.info(n.outputs[0]).shape != Shape{geo.n, geo.m, geo.w.out[0], geo.w.out[1]}) return false;
  int64_t m = geo.m, cg = geo.c / geo.group, mg = m / geo.group;
  int64_t kh = w->shape[2], kw = w->shape[3];
  for (int64_t pd : geo.w.pad_begin)
    if (pd < 0) return false;
  for (int64_t pd : geo.w.pad_end)
    if (pd < 0) return false;
  // ONNX [M, C/g, kh, kw] -> XNNPACK [M, kh, kw, C/g].
  std::vector<float> wk(size_t(w->numel()));
  for (int64_t o = 0; o < m; ++o)
    for (int64_t ci = 0; ci < cg; ++ci)
      for (int64_t k = 0; k < kh * kw; ++k)
        wk[size_t((o * kh * kw + k) * cg + ci)] = w->as<float>()[(o * cg + ci) * kh * kw + k];
  std::vector<float> bk(size_t(m), 0.0f);
  if (bias) std::copy(bias->as<float>(), bias->as<float>() + m, bk.begin());
  ir::ValueId out = n.outputs[0];
  if (n.attrs.get_string("rnpu.activation", "").empty())
    if (ir::ValueId f = fold_batch_norm(c, out, wk, bk, m); f != ir::kNoValue) out = f;
  OutPlan plan = c.plan_output(n, out, true);
  // Ungrouped convolutions with large weights run as several operators over
  // slices of output channels, so each slice's packed weights stay in L2
  // while XNNPACK sweeps every output pixel (its own loop order re-reads all
  // weights per pixel tile); the same blocking MLAS's NCHWc kernels use.
  int64_t nc = m;
  int64_t per_oc = cg * kh * kw * 4;
  if (geo.group == 1 && m * per_oc > kConvSliceAboveBytes)
    nc = std::clamp<int64_t>(kConvSliceBytes / per_oc / 16 * 16, 32, m);
  std::vector<XnnOp> ops;
  for (int64_t c0 = 0; c0 < m; c0 += nc) {
    int64_t cn = std::min(nc, m - c0);
    xnn_operator_t op = nullptr;
    if (xnn_create_convolution2d_nhwc_f32(
            uint32_t(geo.w.pad_begin[0]), uint32_t(geo.w.pad_end[1]), uint32_t(geo.w.pad_end[0]),
            uint32_t(geo.w.pad_begin[1]), uint32_t(kh), uint32_t(kw), uint32_t(geo.w.stride[0]),
            uint32_t(geo.w.stride[1]), uint32_t(geo.w.dil[0]), uint32_t(geo.w.dil[1]),
            uint32_t(geo.group), size_t(cg), size_t(nc == m ? mg : cn), size_t(geo.c), size_t(m),
            wk.data() + c0 * cg * kh * kw, bk.data() + c0, plan.lo, plan.hi, 0,
            &op) != xnn_status_success)
      return false;
    ops.emplace_back(op);
  }
  TensorRef in = c.nhwc(x);
  TensorRef o = c.define(plan.value, true);
  int64_t nb = xs[0], h = xs[2], wd = xs[3];
  for (size_t i = 0; i < ops.size(); ++i) {
    int64_t c0 = int64_t(i) * nc;
    auto setup = [nb, h, wd, c0](xnn_operator_t op, void* const* ptrs, pthreadpool* pool) {
      return xnn_setup_convolution2d_nhwc_f32(op, size_t(nb), size_t(h), size_t(wd),
                                              static_cast<const float*>(ptrs[0]),
                                              static_cast<float*>(ptrs[1]) + c0, pool);
    };
    c.add_xnn_step(std::move(ops[i]), n, {in}, {o}, setup);
  }
  c.post_activation(plan, o, n);
  return true;
}

bool lower_conv_transpose(Compiler& c, const ir::Node& n) {
  if (n.inputs.size() < 2 || n.outputs.size() != 1) return false;
  ir::ValueId x = n.inputs[0];
  const Tensor* w = c.constant(n.inputs[1]);
  const Tensor* bias = n.inputs.size() > 2 ? c.constant(n.inputs[2]) : nullptr;
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue && !bias) return false;
  if (!c.is_f32_4d(x) || !w || w->dtype != DType::kF32 || w->rank() != 4) return false;
  const Shape& xs = c.info(x).shape;
  ConvTransposeGeom t;
  try {
    t = conv_transpose_geometry(c.attrs(n), xs, w->shape);
  } catch (const KernelError&) {
    return false;
  }
  const WindowGeom& g = t.w;
  if (c.info(n.outputs[0]).shape != Shape{t.n, t.m, g.in[0], g.in[1]}) return false;
  for (size_t i = 0; i < 2; ++i)
    if (g.pad_begin[i] < 0 || g.pad_end[i] < 0 || t.output_padding[i] >= g.stride[i]) return false;
  int64_t cg = t.c / t.group, mg = t.m / t.group, kh = w->shape[2], kw = w->shape[3];
  // ONNX [C, M/g, kh, kw] -> XNNPACK [g][M/g][kh][kw][C/g].
  std::vector<float> wk(size_t(w->numel()));
  for (int64_t gr = 0; gr < t.group; ++gr)
    for (int64_t ci = 0; ci < cg; ++ci)
      for (int64_t mo = 0; mo < mg; ++mo)
        for (int64_t k = 0; k < kh * kw; ++k)
          wk[size_t(((gr * mg + mo) * kh * kw + k) * cg + ci)] =
              w->as<float>()[((gr * cg + ci) * mg + mo) * kh * kw + k];
  std::vector<float> bk(size_t(t.m), 0.0f);
  if (bias) std::copy(bias->as<float>(), bias->as<float>() + t.m, bk.begin());
  OutPlan plan = c.plan_output(n, n.outputs[0], true);
  xnn_operator_t op = nullptr;
  if (xnn_create_deconvolution2d_nhwc_f32(
          uint32_t(g.pad_begin[0]), uint32_t(g.pad_end[1]), uint32_t(g.pad_end[0]),
          uint32_t(g.pad_begin[1]), uint32_t(kh), uint32_t(kw), uint32_t(g.stride[0]),
          uint32_t(g.stride[1]), uint32_t(g.dil[0]), uint32_t(g.dil[1]), uint32_t(t.group),
          size_t(cg), size_t(mg), size_t(t.c), size_t(t.m), wk.data(), bk.data(), plan.lo, plan.hi,
          0, &op) != xnn_status_success)
    return false;
  TensorRef in = c.nhwc(x);
  TensorRef o = c.define(plan.value, true);
  int64_t nb = xs[0], h = xs[2], wd = xs[3];
  uint32_t ah = uint32_t(t.output_padding[0]), aw = uint32_t(t.output_padding[1]);
  auto setup = [nb, h, wd, ah, aw](xnn_operator_t op, void* const* ptrs, pthreadpool* pool) {
    return xnn_setup_deconvolution2d_nhwc_f32(op, size_t(nb), size_t(h), size_t(wd), ah, aw,
                                              static_cast<const float*>(ptrs[0]),
                                              static_cast<float*>(ptrs[1]), pool);
  };
  c.add_xnn_step(XnnOp(op), n, {in}, {o}, setup);
  c.post_activation(plan, o, n);
  return true;
}

bool lower_pool(Compiler& c, const ir::Node& n) {
  bool is_max = n.op == "MaxPool";
  if (n.inputs.empty() || n.outputs.empty()) return false;
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (n.outputs[i] != ir::kNoValue) return false;  // MaxPool indices
  ir::ValueId x = n.inputs[0];
  if (!c.is_f32_4d(x)) return false;
  Attrs a = c.attrs(n);
  const Shape& xs = c.info(x).shape;
  Shape k = a.get_ints("kernel_shape");
  if (k.size() != 2 || k[0] * k[1] <= 1) return false;
  WindowGeom g;
  try {
    g = window_geometry(a, {xs[2], xs[3]}, k, true);
  } catch (const KernelError&) {
    return false;
  }
  if (c.info(n.outputs[0]).shape != Shape{xs[0], xs[1], g.out[0], g.out[1]}) return false;
  // Pad the bottom/right so the floor-mode output size XNNPACK computes is
  // the (possibly ceil-mode) ONNX size; extra padding never wins a max and
  // is excluded from averages.
  int64_t pad_end[2];
  for (int i = 0; i < 2; ++i) {
    int64_t ek = (k[size_t(i)] - 1) * g.dil[size_t(i)] + 1;
    pad_end[i] = std::max<int64_t>(0, (g.out[size_t(i)] - 1) * g.stride[size_t(i)] + ek -
                                          g.in[size_t(i)] - g.pad_begin[size_t(i)]);
    if ((g.in[size_t(i)] + g.pad_begin[size_t(i)] + pad_end[i] - ek) / g.stride[size_t(i)] + 1 !=
        g.out[size_t(i)])
      return false;
    if (g.pad_begin[size_t(i)] < 0) return false;
  }
  bool any_pad = g.pad_begin[0] || g.pad_begin[1] || pad_end[0] || pad_end[1];
  if (!is_max) {
    if (g.dil[0] != 1 || g.dil[1] != 1) return false;
    if (a.get_int("count_include_pad", 0) != 0 && any_pad) return false;
  }
  OutPlan plan = c.plan_output(n, n.outputs[0], true);
  xnn_operator_t op = nullptr;
  int64_t ch = xs[1];
  xnn_status s;
  if (is_max)
    s = xnn_create_max_pooling2d_nhwc_f32(
        uint32_t(g.pad_begin[0]), uint32_t(pad_end[1]), uint32_t(pad_end[0]),
        uint32_t(g.pad_begin[1]), uint32_t(k[0]), uint32_t(k[1]), uint32_t(g.stride[0]),
        uint32_t(g.stride[1]), uint32_t(g.dil[0]), uint32_t(g.dil[1]), size_t(ch), size_t(ch),
        size_t(ch), plan.lo, plan.hi, 0, &op);
  else
    s = xnn_create_average_pooling2d_nhwc_f32(
        uint32_t(g.pad_begin[0]), uint32_t(pad_end[1]), uint32_t(pad_end[0]),
        uint32_t(g.pad_begin[1]), uint32_t(k[0]), uint32_t(k[1]), uint32_t(g.stride[0]),
        uint32_t(g.stride[1]), size_t(ch), size_t(ch), size_t(ch), plan.lo, plan.hi, 0, &op);
  if (s != xnn_status_success) return false;
  TensorRef in = c.nhwc(x);
  TensorRef o = c.define(plan.value, true);
  int64_t nb = xs[0], h = xs[2], wd = xs[3];
  auto setup = [is_max, nb, h, wd](xnn_operator_t op, void* const* ptrs, pthreadpool* pool) {
    auto* i = static_cast<const float*>(ptrs[0]);
    auto* y = static_cast<float*>(ptrs[1]);
    return is_max
               ? xnn_setup_max_pooling2d_nhwc_f32(op, size_t(nb), size_t(h), size_t(wd), i, y, pool)
               : xnn_setup_average_pooling2d_nhwc_f32(op, size_t(nb), size_t(h), size_t(wd), i, y,
                                                      pool);
  };
  c.add_xnn_step(XnnOp(op), n, {in}, {o}, setup);
  c.post_activation(plan, o, n);
  return true;
}

bool lower_global_avg_pool(Compiler& c, const ir::Node& n) {
  if (n.inputs.empty() || n.outputs.size() != 1) return false;
  ir::ValueId x = n.inputs[0];
  if (!c.is_f32_4d(x)) return false;
  const Shape& xs = c.info(x).shape;
  if (c.info(n.outputs[0]).shape != Shape{xs[0], xs[1], 1, 1}) return false;
  OutPlan plan = c.plan_output(n, n.outputs[0], true);
  xnn_operator_t op = nullptr;
  if (xnn_create_global_average_pooling_nwc_f32(size_t(xs[1]), size_t(xs[1]), size_t(xs[1]),
                                                plan.lo, plan.hi, 0, &op) != xnn_status_success)
    return false;
  TensorRef in = c.nhwc(x);
  TensorRef o = c.define(plan.value, true);
  int64_t nb = xs[0], hw = xs[2] * xs[3];
  auto setup = [nb, hw](xnn_operator_t op, void* const* ptrs, pthreadpool* pool) {
    return xnn_setup_global_average_pooling_nwc_f32(op, size_t(nb), size_t(hw),
                                                    static_cast<const float*>(ptrs[0]),
                                                    static_cast<float*>(ptrs[1]), pool);
  };
  c.add_xnn_step(XnnOp(op), n, {in}, {o}, setup);
  c.post_activation(plan, o, n);
  return true;
}

}  // namespace

bool lower_conv_family(Compiler& c, const ir::Node& n) {
  if (n.op == "Conv") return lower_conv(c, n);
  if (n.op == "ConvTranspose") return lower_conv_transpose(c, n);
  if (n.op == "MaxPool" || n.op == "AveragePool") return lower_pool(c, n);
  if (n.op == "GlobalAveragePool") return lower_global_avg_pool(c, n);
  return false;
}

}  // namespace rnpu::cpu::fast
