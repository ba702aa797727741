// Resize, Concat and standalone BatchNormalization in NHWC, so feature
// pyramids (FPN-style upsample + concat) stay channel-last.
#include <cmath>

#include "backends/cpu/kernels/resize.h"
#include "compiler.h"
#include "lower.h"
#include "nhwc_kernels.h"

namespace rnpu::cpu::fast {

namespace {

bool lower_resize(Compiler& c, const ir::Node& n) {
  if (n.inputs.empty() || n.outputs.size() != 1) return false;
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  if (!c.is_f32_4d(x) || !c.is_f32(y) || !n.attrs.get_string("rnpu.activation", "").empty())
    return false;
  Attrs a = c.attrs(n);
  if (a.get_int("exclude_outside", 0) != 0) return false;
  ResizeParams p;
  std::vector<double> scales;
  Shape sizes;
  auto const_input = [&](size_t i) -> const Tensor* {
    return i < n.inputs.size() && n.inputs[i] != ir::kNoValue ? c.constant(n.inputs[i]) : nullptr;
  };
  auto present = [&](size_t i) { return i < n.inputs.size() && n.inputs[i] != ir::kNoValue; };
  if (n.op == "Upsample") {
    p.mode = a.get_string("mode", "nearest");
    p.coord = "asymmetric";
    p.nearest = "floor";
    if (a.has("scales")) {
      for (float f : a.get_floats("scales")) scales.push_back(f);
    } else {
      const Tensor* t = const_input(1);
      if (!t) return false;
      scales = tensor_to_doubles(*t);
    }
  } else {
    try {
      p = resize_params(a, n.opset);
    } catch (const KernelError&) {
      return false;  // the reference kernel reports it
    }
    if (p.antialias) return false;
    if (n.opset < 11) {
      const Tensor* t = const_input(1);
      if (!t) return false;
      scales = tensor_to_doubles(*t);
    } else {
      for (size_t i = 2; i <= 3; ++i)
        if (present(i) && !const_input(i)) return false;
      if (const Tensor* t = const_input(2)) scales = tensor_to_doubles(*t);
      if (const Tensor* t = const_input(3)) sizes = tensor_to_ints(*t);
    }
  }
  const Shape& xs = c.info(x).shape;
  Shape out;
  try {
    ResizeGeometry g = resize_geometry(p, xs, scales, sizes, {});
    out = g.out;
    scales = g.scales;
  } catch (const KernelError&) {
    return false;
  }
  if (out[0] != xs[0] || out[1] != xs[1] || out != c.info(y).shape) return false;
  if (p.mode == "nearest") {
    if (p.coord == "tf_crop_and_resize") return false;
    std::vector<int64_t> ys, xs_idx;
    try {
      ys = nearest_indices(p, xs[2], out[2], scales[2]);
      xs_idx = nearest_indices(p, xs[3], out[3], scales[3]);
    } catch (const KernelError&) {
      return false;
    }
    TensorRef rx = c.nhwc(x);
    TensorRef ry = c.define(y, true);
    int64_t nb = xs[0], ih = xs[2], iw = xs[3], ch = xs[1];
    c.add_step(std::make_unique<LambdaStep>([=](FastState& st) {
                 gather_nhwc(static_cast<const float*>(rx.ptr(st)), static_cast<float*>(ry.ptr(st)),
                             nb, ih, iw, ch, ys, xs_idx);
               }),
               n, {rx}, {ry});
    return true;
  }
  if (p.mode != "linear") return false;
  uint32_t flags = 0;
  if (p.coord == "align_corners")
    flags = XNN_FLAG_ALIGN_CORNERS;
  else if (p.coord == "asymmetric")
    flags = XNN_FLAG_TENSORFLOW_LEGACY_MODE;
  else if (p.coord == "pytorch_half_pixel") {
    if (out[2] == 1 || out[3] == 1) return false;
  } else if (p.coord != "half_pixel") {
    return false;
  }
  // XNNPACK derives the scale from the sizes; require that to be ONNX's.
  for (int i = 2; i < 4; ++i)
    if ((sizes.empty() || p.aspect != "stretch") &&
        double(out[size_t(i)]) != double(xs[size_t(i)]) * scales[size_t(i)])
      return false;
  xnn_operator_t op = nullptr;
  if (xnn_create_resize_bilinear2d_nhwc_f32(size_t(xs[1]), size_t(xs[1]), size_t(xs[1]), flags,
                                            &op) != xnn_status_success)
    return false;
  TensorRef rx = c.nhwc(x);
  TensorRef ry = c.define(y, true);
  int64_t nb = xs[0], ih = xs[2], iw = xs[3], oh = out[2], ow = out[3];
  auto setup = [=](xnn_operator_t op, void* const* ptrs, pthreadpool* pool) {
    return xnn_setup_resize_bilinear2d_nhwc_f32(op, size_t(nb), size_t(ih), size_t(iw), size_t(oh),
                                                size_t(ow), static_cast<const float*>(ptrs[0]),
                                                static_cast<float*>(ptrs[1]), pool);
  };
  c.add_xnn_step(XnnOp(op), n, {rx}, {ry}, setup);
  return true;
}

bool lower_concat(Compiler& c, const ir::Node& n) {
  if (n.inputs.empty() || n.outputs.size() != 1) return false;
  ir::ValueId y = n.outputs[0];
  if (!c.is_f32_4d(y) || !n.attrs.get_string("rnpu.activation", "").empty()) return false;
  bool any_nhwc = false;
  for (ir::ValueId v : n.inputs) {
    if (v == ir::kNoValue || !c.is_f32_4d(v) || !c.can_nhwc(v)) return false;
    any_nhwc |= c.info(v).home_nhwc;
  }
  if (!any_nhwc) return false;  // the reference kernel handles NCHW concat
  int64_t axis = n.attrs.get_int("axis", 0);
  if (axis < 0) axis += 4;
  if (axis < 0 || axis > 3) return false;
  static const int64_t phys_axis[4] = {0, 3, 1, 2};
  int64_t pa = phys_axis[axis];
  Shape want = c.info(n.inputs[0]).shape;
  want[size_t(axis)] = 0;
  for (ir::ValueId v : n.inputs) {
    Shape s = c.info(v).shape;
    s[size_t(axis)] = 0;
    if (s != want) return false;
  }
  for (ir::ValueId v : n.inputs) want[size_t(axis)] += c.info(v).shape[size_t(axis)];
  if (want != c.info(y).shape) return false;
  std::vector<TensorRef> ins;
  std::vector<int64_t> widths;
  for (ir::ValueId v : n.inputs) {
    TensorRef r = c.nhwc(v);
    int64_t w = 1;
    for (size_t d = size_t(pa); d < 4; ++d) w *= r.shape[d];
    ins.push_back(r);
    widths.push_back(w);
  }
  TensorRef ry = c.define(y, true);
  int64_t outer = 1;
  for (int64_t d = 0; d < pa; ++d) outer *= ry.shape[size_t(d)];
  c.add_step(std::make_unique<LambdaStep>([ins, widths, outer, ry](FastState& st) {
               std::vector<const float*> ptrs;
               for (const TensorRef& r : ins) ptrs.push_back(static_cast<const float*>(r.ptr(st)));
               concat_last_axis(ptrs, widths, outer, static_cast<float*>(ry.ptr(st)));
             }),
             n, ins, {ry});
  return true;
}

bool lower_batch_norm(Compiler& c, const ir::Node& n) {
  if (n.inputs.size() != 5 || n.outputs.empty() || n.attrs.get_int("training_mode", 0) != 0)
    return false;
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (n.outputs[i] != ir::kNoValue) return false;
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  if (!c.is_f32_4d(x) || !c.info(x).home_nhwc || c.info(x).shape != c.info(y).shape) return false;
  int64_t ch = c.info(x).shape[1];
  const Tensor* p[4];
  for (int i = 0; i < 4; ++i) {
    p[i] = c.constant(n.inputs[size_t(i + 1)]);
    if (!p[i] || p[i]->dtype != DType::kF32 || p[i]->numel() != ch) return false;
  }
  double eps = n.attrs.get_float("epsilon", 1e-5f);
  std::vector<float> scale(static_cast<size_t>(ch)), shift(static_cast<size_t>(ch));
  for (int64_t k = 0; k < ch; ++k) {
    double s = double(p[0]->as<float>()[k]) / std::sqrt(double(p[3]->as<float>()[k]) + eps);
    scale[size_t(k)] = float(s);
    shift[size_t(k)] = float(double(p[1]->as<float>()[k]) - double(p[2]->as<float>()[k]) * s);
  }
  OutPlan plan = c.plan_output(n, y, false);
  TensorRef rx = c.nhwc(x);
  TensorRef ry = c.define(plan.value, true);
  int64_t pixels = shape_numel(rx.shape) / ch;
  c.add_step(std::make_unique<LambdaStep>([=](FastState& st) {
               channel_affine(static_cast<const float*>(rx.ptr(st)),
                              static_cast<float*>(ry.ptr(st)), pixels, ch, scale.data(),
                              shift.data());
             }),
             n, {rx}, {ry});
  c.post_activation(plan, ry, n);
  return true;
}

// Reshape-like ops move no data: the output is a view of the input.
bool lower_view(Compiler& c, const ir::Node& n) {
  if (n.inputs.empty() || n.outputs.empty() || n.outputs[0] == ir::kNoValue) return false;
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (n.outputs[i] != ir::kNoValue) return false;  // Dropout mask
  if (n.op == "Dropout" && n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue) {
    const Tensor* training = c.constant(n.inputs[2]);
    if (!training || tensor_get_int(*training, 0) != 0) return false;
  }
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  const auto& xi = c.info(x);
  const auto& yi = c.info(y);
  if (yi.graph_out || xi.dt != yi.dt || dtype_size(xi.dt) == 0 ||
      shape_numel(xi.shape) != shape_numel(yi.shape) ||
      !n.attrs.get_string("rnpu.activation", "").empty())
    return false;
  c.alias(y, c.nchw(x));
  return true;
}

}  // namespace

bool lower_layout_family(Compiler& c, const ir::Node& n) {
  if (n.op == "Resize" || n.op == "Upsample") return lower_resize(c, n);
  if (n.op == "Concat") return lower_concat(c, n);
  if (n.op == "BatchNormalization") return lower_batch_norm(c, n);
  if (n.op == "Reshape" || n.op == "Flatten" || n.op == "Squeeze" || n.op == "Unsqueeze" ||
      n.op == "Identity" || n.op == "Dropout")
    return lower_view(c, n);
  return false;
}

bool lower_fast(Compiler& c, const ir::Node& n) {
  if (!n.domain.empty() && n.domain != "ai.onnx") return false;
  if (lower_quant_family(c, n)) return true;
  // Other nodes on quantised values (left unexpanded) run as reference steps.
  for (const auto* list : {&n.inputs, &n.outputs})
    for (ir::ValueId v : *list)
      if (v != ir::kNoValue && c.g.value(v).quant) return false;
  return lower_conv_family(c, n) || lower_matmul_family(c, n) || lower_layout_family(c, n) ||
         lower_transformer_family(c, n) || lower_eltwise_family(c, n);
}

}  // namespace rnpu::cpu::fast
