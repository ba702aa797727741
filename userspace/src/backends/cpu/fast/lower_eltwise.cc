// Elementwise ops and Softmax to XNNPACK.  They run in whatever layout
// their 4-D operands already have (NHWC inside convolution regions).
#include "backends/cpu/kernels/broadcast.h"
#include "compiler.h"
#include "lower.h"

namespace rnpu::cpu::fast {

namespace {

// NHWC when the output is 4-D, some 4-D input already lives in NHWC and
// every input can be presented in NHWC.
bool want_nhwc(const Compiler& c, const ir::Node& n) {
  if (n.outputs.empty() || c.info(n.outputs[0]).shape.size() != 4) return false;
  bool any = false;
  for (ir::ValueId v : n.inputs) {
    if (v == ir::kNoValue) continue;
    if (!c.can_nhwc(v)) return false;
    any |= c.info(v).home_nhwc;
  }
  return any;
}

std::vector<size_t> dims(const Shape& s) {
  if (s.empty()) return {1};
  return std::vector<size_t>(s.begin(), s.end());
}

bool lower_binary(Compiler& c, const ir::Node& n) {
  if (n.inputs.size() != 2 || n.outputs.size() != 1) return false;
  ir::ValueId a = n.inputs[0], b = n.inputs[1], y = n.outputs[0];
  if (!c.is_f32(a) || !c.is_f32(b) || !c.is_f32(y)) return false;
  if (c.info(y).shape.size() > XNN_MAX_TENSOR_DIMS) return false;
  try {
    if (broadcast_shapes(c.info(a).shape, c.info(b).shape) != c.info(y).shape) return false;
  } catch (const KernelError&) {
    return false;
  }
  bool clamp_ok = n.op != "Max" && n.op != "Min";
  if (!clamp_ok && !n.attrs.get_string("rnpu.activation", "").empty()) return false;
  OutPlan plan = c.plan_output(n, y, clamp_ok);
  xnn_operator_t op = nullptr;
  xnn_status s;
  if (n.op == "Add")
    s = xnn_create_add_nd_f32(plan.lo, plan.hi, 0, &op);
  else if (n.op == "Sub")
    s = xnn_create_subtract_nd_f32(plan.lo, plan.hi, 0, &op);
  else if (n.op == "Mul")
    s = xnn_create_multiply_nd_f32(plan.lo, plan.hi, 0, &op);
  else if (n.op == "Div")
    s = xnn_create_divide_nd_f32(plan.lo, plan.hi, 0, &op);
  else if (n.op == "Max")
    s = xnn_create_maximum_nd_f32(0, &op);
  else
    s = xnn_create_minimum_nd_f32(0, &op);
  if (s != xnn_status_success) return false;
  bool nhwc = want_nhwc(c, n);
  TensorRef ra = nhwc ? c.nhwc(a) : c.nchw(a);
  TensorRef rb = nhwc ? c.nhwc(b) : c.nchw(b);
  TensorRef ry = c.define(plan.value, nhwc);
  std::vector<size_t> da = dims(ra.shape), db = dims(rb.shape);
  std::string opn = n.op;
  auto setup = [da, db, opn](xnn_operator_t op, void* const* p, pthreadpool* pool) {
    auto* x = static_cast<const float*>(p[0]);
    auto* z = static_cast<const float*>(p[1]);
    auto* o = static_cast<float*>(p[2]);
    if (opn == "Add")
      return xnn_setup_add_nd_f32(op, da.size(), da.data(), db.size(), db.data(), x, z, o, pool);
    if (opn == "Sub")
      return xnn_setup_subtract_nd_f32(op, da.size(), da.data(), db.size(), db.data(), x, z, o,
                                       pool);
    if (opn == "Mul")
      return xnn_setup_multiply_nd_f32(op, da.size(), da.data(), db.size(), db.data(), x, z, o,
                                       pool);
    if (opn == "Div")
      return xnn_setup_divide_nd_f32(op, da.size(), da.data(), db.size(), db.data(), x, z, o, pool);
    if (opn == "Max")
      return xnn_setup_maximum_nd_f32(op, da.size(), da.data(), db.size(), db.data(), x, z, o,
                                      pool);
    return xnn_setup_minimum_nd_f32(op, da.size(), da.data(), db.size(), db.data(), x, z, o, pool);
  };
  c.add_xnn_step(XnnOp(op), n, {ra, rb}, {ry}, setup);
  c.post_activation(plan, ry, n);
  return true;
}

// Clip bounds when they are constants (attributes or scalar inputs).
bool clip_bounds(const Compiler& c, const ir::Node& n, float* lo, float* hi) {
  Attrs a = c.attrs(n);
  *lo = a.get_float("min", -std::numeric_limits<float>::infinity());
  *hi = a.get_float("max", std::numeric_limits<float>::infinity());
  for (size_t i = 1; i < n.inputs.size(); ++i) {
    if (n.inputs[i] == ir::kNoValue) continue;
    const Tensor* t = c.constant(n.inputs[i]);
    if (!t || t->numel() != 1 || t->dtype != DType::kF32) return false;
    (i == 1 ? *lo : *hi) = t->as<float>()[0];
  }
  return true;
}

bool lower_unary(Compiler& c, const ir::Node& n) {
  if (n.inputs.empty() || n.outputs.size() != 1) return false;
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  if (!c.is_f32(x) || !c.is_f32(y) || c.info(x).shape != c.info(y).shape) return false;
  const std::string& opn = n.op;
  Attrs a = c.attrs(n);
  xnn_operator_t op = nullptr;
  xnn_status s = xnn_status_unsupported_parameter;
  OutPlan plan;
  plan.value = y;
  bool has_act = !n.attrs.get_string("rnpu.activation", "").empty();
  if (opn == "Relu" || opn == "Clip") {
    float lo = 0, hi = std::numeric_limits<float>::infinity();
    if (opn == "Clip" && !clip_bounds(c, n, &lo, &hi)) return false;
    plan = c.plan_output(n, y, true);
    s = xnn_create_clamp_nc_f32(1, 1, 1, std::max(lo, plan.lo), std::min(hi, plan.hi), 0, &op);
  } else {
    if (has_act || n.inputs.size() != 1) return false;
    if (opn == "Sigmoid")
      s = xnn_create_sigmoid_nc_f32(1, 1, 1, 0, &op);
    else if (opn == "HardSwish")
      s = xnn_create_hardswish_nc_f32(1, 1, 1, 0, &op);
    else if (opn == "LeakyRelu")
      s = xnn_create_leaky_relu_nc_f32(1, 1, 1, a.get_float("alpha", 0.01f), 0, &op);
    else if (opn == "Elu")
      s = xnn_create_elu_nc_f32(1, 1, 1, a.get_float("alpha", 1.0f), 0, &op);
    else if (opn == "Abs")
      s = xnn_create_abs_nc_f32(1, 1, 1, 0, &op);
    else if (opn == "Neg")
      s = xnn_create_negate_nc_f32(1, 1, 1, 0, &op);
    else if (opn == "Floor")
      s = xnn_create_floor_nc_f32(1, 1, 1, 0, &op);
    else if (opn == "Ceil")
      s = xnn_create_ceiling_nc_f32(1, 1, 1, 0, &op);
    else if (opn == "Round")
      s = xnn_create_bankers_rounding_nc_f32(1, 1, 1, 0, &op);
    else if (opn == "Sqrt")
      s = xnn_create_square_root_nc_f32(1, 1, 1, 0, &op);
    else
      return false;
  }
  if (s != xnn_status_success) return false;
  bool nhwc = c.info(x).home_nhwc && c.info(y).shape.size() == 4;
  TensorRef rx = nhwc ? c.nhwc(x) : c.nchw(x);
  TensorRef ry = c.define(plan.value, nhwc);
  size_t count = size_t(shape_numel(rx.shape));
  auto setup = [count, opn](xnn_operator_t op, void* const* p, pthreadpool* pool) {
    auto* i = static_cast<const float*>(p[0]);
    auto* o = static_cast<float*>(p[1]);
    if (opn == "Relu" || opn == "Clip") return xnn_setup_clamp_nc_f32(op, count, i, o, pool);
    if (opn == "Sigmoid") return xnn_setup_sigmoid_nc_f32(op, count, i, o, pool);
    if (opn == "HardSwish") return xnn_setup_hardswish_nc_f32(op, count, i, o, pool);
    if (opn == "LeakyRelu") return xnn_setup_leaky_relu_nc_f32(op, count, i, o, pool);
    if (opn == "Elu") return xnn_setup_elu_nc_f32(op, count, i, o, pool);
    if (opn == "Abs") return xnn_setup_abs_nc_f32(op, count, i, o, pool);
    if (opn == "Neg") return xnn_setup_negate_nc_f32(op, count, i, o, pool);
    if (opn == "Floor") return xnn_setup_floor_nc_f32(op, count, i, o, pool);
    if (opn == "Ceil") return xnn_setup_ceiling_nc_f32(op, count, i, o, pool);
    if (opn == "Round") return xnn_setup_bankers_rounding_nc_f32(op, count, i, o, pool);
    return xnn_setup_square_root_nc_f32(op, count, i, o, pool);
  };
  c.add_xnn_step(XnnOp(op), n, {rx}, {ry}, setup);
  c.post_activation(plan, ry, n);
  return true;
}

bool lower_softmax(Compiler& c, const ir::Node& n) {
  if (n.inputs.size() != 1 || n.outputs.size() != 1) return false;
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  if (!c.is_f32(x) || !c.is_f32(y) || !n.attrs.get_string("rnpu.activation", "").empty())
    return false;
  const Shape& s = c.info(x).shape;
  int64_t rank = int64_t(s.size());
  if (rank == 0 || s != c.info(y).shape) return false;
  int64_t axis = n.attrs.get_int("axis", n.opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  bool nhwc = false;
  if (axis != rank - 1) {
    // Softmax over channels of an NHWC tensor is over its last axis.
    if (!(n.opset >= 13 && rank == 4 && axis == 1 && c.info(x).home_nhwc)) return false;
    nhwc = true;
  }
  int64_t channels = nhwc ? s[1] : s.back();
  if (channels <= 0) return false;
  xnn_operator_t op = nullptr;
  if (xnn_create_softmax_nc_f32(size_t(channels), size_t(channels), size_t(channels), 0, &op) !=
      xnn_status_success)
    return false;
  TensorRef rx = nhwc ? c.nhwc(x) : c.nchw(x);
  TensorRef ry = c.define(y, nhwc);
  size_t batch = size_t(shape_numel(s) / channels);
  auto setup = [batch](xnn_operator_t op, void* const* p, pthreadpool* pool) {
    return xnn_setup_softmax_nc_f32(op, batch, static_cast<const float*>(p[0]),
                                    static_cast<float*>(p[1]), pool);
  };
  c.add_xnn_step(XnnOp(op), n, {rx}, {ry}, setup);
  return true;
}

}  // namespace

bool lower_eltwise_family(Compiler& c, const ir::Node& n) {
  const std::string& op = n.op;
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Max" || op == "Min")
    return lower_binary(c, n);
  if (op == "Softmax") return lower_softmax(c, n);
  return lower_unary(c, n);
}

}  // namespace rnpu::cpu::fast
