// Vector-unit lowering: elementwise ops with broadcast, activations,
// BatchNormalization (as MUL + ADD), pooling, Softmax, LayerNormalization
// and Resize.
#include <cmath>
#include <cstring>

#include "npu/codegen_int.h"

namespace rnpu::npu {

namespace {

uint32_t fbits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

std::vector<int64_t> pad_rank(std::vector<int64_t> d, size_t r) {
  while (d.size() < r) d.insert(d.begin(), 1);
  return d;
}

// Clip bounds as the op gives them: inputs (opset >= 11) or attributes.
void clip_bounds(Codegen& c, const ir::Node& n, float* lo, float* hi) {
  *lo = -3.0e38f;
  *hi = 3.0e38f;
  if (n.opset < 11) {
    *lo = n.attrs.get_float("min", *lo);
    *hi = n.attrs.get_float("max", *hi);
    return;
  }
  if (c.has_in(n, 1)) *lo = float(c.val(n.inputs[1]).constant->get_double(0));
  if (c.has_in(n, 2)) *hi = float(c.val(n.inputs[2]).constant->get_double(0));
}

}  // namespace

rnpu_act_params act_from(const ir::Node& n, const std::string& f, float a, float b) {
  rnpu_act_params p;
  std::memset(&p, 0, sizeof p);
  if (f.empty()) return p;
  static const std::pair<const char*, uint8_t> names[] = {
      {"Relu", RNPU_ACT_RELU},
      {"Clip", RNPU_ACT_CLIP},
      {"Sigmoid", RNPU_ACT_SIGMOID},
      {"Tanh", RNPU_ACT_TANH},
      {"HardSigmoid", RNPU_ACT_HARDSIGMOID},
      {"HardSwish", RNPU_ACT_HARDSWISH},
      {"Gelu", RNPU_ACT_GELU},
      {"LeakyRelu", RNPU_ACT_LEAKYRELU},
      {"Elu", RNPU_ACT_ELU},
  };
  for (auto [name, code] : names)
    if (f == name) p.func = code;
  if (!p.func) ir::node_error(ErrorCode::kUnsupportedOp, n, "npu: activation " + f);
  if (p.func == RNPU_ACT_CLIP) {
    // ReLU6 has its own encoding; other clips carry their bounds.
    if (a == 0.f && b == 6.f) {
      p.func = RNPU_ACT_RELU6;
    } else {
      p.p0 = fbits(a);
      p.p1 = fbits(b);
    }
  } else if (p.func == RNPU_ACT_HARDSIGMOID) {
    p.p0 = fbits(a);
    p.p1 = fbits(b);
  } else if (p.func == RNPU_ACT_LEAKYRELU || p.func == RNPU_ACT_ELU) {
    p.p0 = fbits(a);
  }
  return p;
}

static void eltwise(Codegen& c, const ir::Node& n, uint32_t op, const Tensor& a, const Tensor& b,
                    const Tensor& y, rnpu_act_params act) {
  size_t r = y.dims.size();
  std::vector<int64_t> ad = pad_rank(a.dims, r), bd = pad_rank(b.dims, r), yd = y.dims;
  if (r > RNPU_MAX_RANK) ir::node_error(ErrorCode::kUnsupportedOp, n, "npu: rank > 4");
  rnpu_cmd_eltwise cmd;
  std::memset(&cmd, 0, sizeof cmd);
  cmd.hdr = {RNPU_OP_ELTWISE, sizeof cmd};
  cmd.op = op;
  cmd.act = act;
  cmd.a = c.desc(a, ad, strides_of(a, ad), 0);
  cmd.b = c.desc(b, bd, strides_of(b, bd), 0);
  cmd.out = c.desc(y, yd, strides_of(y, yd), 0);
  c.emit(&cmd, sizeof cmd, {&cmd.a, &cmd.b, &cmd.out});
}

static void act(Codegen& c, const Tensor& x, const Tensor& y, rnpu_act_params p) {
  rnpu_cmd_act cmd;
  std::memset(&cmd, 0, sizeof cmd);
  cmd.hdr = {RNPU_OP_ACT, sizeof cmd};
  cmd.act = p;
  if (x.strides.empty() && y.strides.empty()) {
    cmd.in = c.desc_flat(x);
    cmd.out = c.desc_flat(y);
  } else {  // a band of a tiled group: row windows of larger tensors
    cmd.in = c.desc(x, x.dims, strides_of(x, x.dims), 0);
    cmd.out = c.desc(y, y.dims, strides_of(y, y.dims), 0);
  }
  c.emit(&cmd, sizeof cmd, {&cmd.in, &cmd.out});
}

static void lower_binary(Codegen& c, const ir::Node& n) {
  static const std::pair<const char*, uint32_t> ops[] = {
      {"Add", RNPU_ELT_ADD}, {"Sub", RNPU_ELT_SUB}, {"Mul", RNPU_ELT_MUL},
      {"Min", RNPU_ELT_MIN}, {"Max", RNPU_ELT_MAX}, {"Div", RNPU_ELT_MUL},
  };
  uint32_t op = 0;
  for (auto [name, code] : ops)
    if (n.op == name) op = code;
  Tensor b;
  if (n.op == "Div") {  // x / c == x * (1 / c): constant divisors only
    const ir::Value& dv = c.val(n.inputs[1]);
    std::vector<double> v(static_cast<size_t>(dv.constant->numel()));
    for (size_t i = 0; i < v.size(); ++i) v[i] = 1.0 / dv.constant->get_double(int64_t(i));
    b = c.pack(v, dv.constant->dims.empty() ? std::vector<int64_t>{1} : dv.constant->dims,
               RNPU_DT_FP16);
  } else {
    b = c.in(n, 1);
  }
  if (b.dims.empty()) b.dims = {1};
  Tensor a = c.in(n, 0);
  if (a.dims.empty()) a.dims = {1};
  eltwise(c, n, op, a, b, c.out(n), fused_act(n));
}

static void lower_batchnorm(Codegen& c, const ir::Node& n) {
  const Tensor& x = c.in(n, 0);
  const Tensor& y = c.out(n);
  auto get = [&](size_t i) { return c.val(n.inputs[i]).constant; };
  auto sc = get(1), bi = get(2), mean = get(3), var = get(4);
  double eps = n.attrs.get_float("epsilon", 1e-5f);
  int64_t C = x.dims[1];
  std::vector<double> mul(static_cast<size_t>(C)), add(static_cast<size_t>(C));
  for (int64_t i = 0; i < C; ++i) {
    double m = sc->get_double(i) / std::sqrt(var->get_double(i) + eps);
    mul[size_t(i)] = m;
    add[size_t(i)] = bi->get_double(i) - mean->get_double(i) * m;
  }
  std::vector<int64_t> pd(x.dims.size(), 1);
  pd[1] = C;
  Tensor m = c.pack(mul, pd, RNPU_DT_FP16), a = c.pack(add, pd, RNPU_DT_FP16);
  rnpu_act_params none;
  std::memset(&none, 0, sizeof none);
  eltwise(c, n, RNPU_ELT_MUL, x, m, y, none);
  eltwise(c, n, RNPU_ELT_ADD, y, a, y, fused_act(n));
}

// Window of a non-global pool on its 4-D form: kernel, strides and pads
// (top, left, bottom, right), the bottom/right ones extended for ceil_mode.
struct PoolGeom {
  std::vector<int64_t> k, s, p;
};

static PoolGeom pool_geom(const ir::Node& n, const std::vector<int64_t>& xd,
                          const std::vector<int64_t>& yd) {
  PoolGeom g;
  std::vector<int64_t>&k = g.k, &s = g.s, &p = g.p;
  k = n.attrs.get_ints("kernel_shape");
  s = n.attrs.get_ints("strides");
  p = n.attrs.get_ints("pads");
  if (k.size() == 1) {
    k.insert(k.begin(), 1);
    if (!s.empty()) s.insert(s.begin(), 1);
    if (p.size() == 2) p = {0, p[0], 0, p[1]};
  }
  if (s.empty()) s = {1, 1};
  if (p.empty()) p = {0, 0, 0, 0};
  std::string ap = n.attrs.get_string("auto_pad", "NOTSET");
  if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
    for (int ax = 0; ax < 2; ++ax) {
      int64_t in = xd[size_t(2 + ax)], out = (in + s[size_t(ax)] - 1) / s[size_t(ax)];
      int64_t total = std::max<int64_t>((out - 1) * s[size_t(ax)] + k[size_t(ax)] - in, 0);
      int64_t lo = ap == "SAME_LOWER" ? total - total / 2 : total / 2;
      p[size_t(ax)] = lo;
      p[size_t(ax + 2)] = total - lo;
    }
  } else if (ap == "VALID") {
    p = {0, 0, 0, 0};
  }
  // ceil_mode: pad the end so the floor formula gives the ceil size.
  for (int ax = 0; ax < 2; ++ax) {
    int64_t need = (yd[size_t(2 + ax)] - 1) * s[size_t(ax)] + k[size_t(ax)] - xd[size_t(2 + ax)] -
                   p[size_t(ax)];
    if (need > p[size_t(ax + 2)]) p[size_t(ax + 2)] = need;
  }
  return g;
}

bool pool_rows(const ir::Graph& gr, const ir::Node& n, RowGeom* r) {
  const ir::Value &x = gr.value(n.inputs[0]), &y = gr.value(n.outputs[0]);
  if (!x.shape.is_static() || x.shape.rank() != 4 || !y.shape.is_static()) return false;
  PoolGeom g = pool_geom(n, x.shape.values(), y.shape.values());
  r->k = g.k[0];
  r->s = g.s[0];
  r->pt = g.p[0];
  r->pb = g.p[2];
  return true;
}

static void lower_pool(Codegen& c, const ir::Node& n) {
  const Tensor& x = c.in(n, 0);
  const Tensor& y = c.out(n);
  std::vector<int64_t> xd = x.dims, yd = y.dims;
  if (xd.size() == 3) {
    xd.insert(xd.begin() + 2, 1);
    yd.insert(yd.begin() + 2, 1);
  }
  rnpu_cmd_pool cmd;
  std::memset(&cmd, 0, sizeof cmd);
  cmd.hdr = {RNPU_OP_POOL, sizeof cmd};
  bool global = n.op == "GlobalAveragePool" || n.op == "GlobalMaxPool" || n.op == "ReduceMean";
  if (global) {
    cmd.op = n.op == "GlobalMaxPool" ? RNPU_POOL_GLOBAL_MAX : RNPU_POOL_GLOBAL_AVG;
  } else {
    cmd.op = n.op == "MaxPool" ? RNPU_POOL_MAX : RNPU_POOL_AVG;
    PoolGeom g = pool_geom(n, xd, yd);
    if (const RowWindow* w = c.row_window()) {  // one band of a tiled group
      g.p[0] = w->pt;
      g.p[2] = w->pb;
    }
    for (int i = 0; i < 2; ++i) {
      cmd.kernel[i] = uint16_t(g.k[size_t(i)]);
      cmd.stride[i] = uint16_t(g.s[size_t(i)]);
    }
    for (int i = 0; i < 4; ++i) cmd.pad[i] = uint16_t(g.p[size_t(i)]);
    if (cmd.op == RNPU_POOL_AVG && n.attrs.get_int("count_include_pad", 0))
      cmd.flags = RNPU_POOL_COUNT_PAD;
  }
  cmd.in = c.desc(x, xd, strides_of(x, xd), 0);
  cmd.out = c.desc(y, yd, strides_of(y, yd), 0);
  c.emit(&cmd, sizeof cmd, {&cmd.in, &cmd.out});
}

static void lower_softmax(Codegen& c, const ir::Node& n) {
  const Tensor& x = c.in(n, 0);
  int64_t r = int64_t(x.dims.size());
  int64_t axis = n.attrs.get_int("axis", n.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += r;
  rnpu_cmd_softmax cmd;
  std::memset(&cmd, 0, sizeof cmd);
  cmd.hdr = {RNPU_OP_SOFTMAX, sizeof cmd};
  cmd.axis = uint32_t(axis);
  cmd.in = c.desc(x);
  cmd.out = c.desc(c.out(n));
  c.emit(&cmd, sizeof cmd, {&cmd.in, &cmd.out});
}

static void lower_layernorm(Codegen& c, const ir::Node& n) {
  const Tensor& x = c.in(n, 0);
  int64_t last = x.dims.back(), rows = numel(x.dims) / last;
  rnpu_cmd_layernorm cmd;
  std::memset(&cmd, 0, sizeof cmd);
  cmd.hdr = {RNPU_OP_LAYERNORM, sizeof cmd};
  cmd.epsilon = fbits(n.attrs.get_float("epsilon", 1e-5f));
  cmd.in = c.desc(x, {rows, last}, {last, 1}, 0);
  auto vec = [&](size_t i, rnpu_tensor_desc* d) {
    if (!c.has_in(n, i)) return;
    Tensor t = c.in(n, i);
    *d = c.desc(t, {last}, {1}, 0);
  };
  vec(1, &cmd.gamma);
  vec(2, &cmd.beta);
  cmd.out = c.desc(c.out(n), {rows, last}, {last, 1}, 0);
  c.emit(&cmd, sizeof cmd, {&cmd.in, &cmd.gamma, &cmd.beta, &cmd.out});
}

static void lower_resize(Codegen& c, const ir::Node& n) {
  const Tensor& x = c.in(n, 0);
  const Tensor& y = c.out(n);
  rnpu_cmd_resize cmd;
  std::memset(&cmd, 0, sizeof cmd);
  cmd.hdr = {RNPU_OP_RESIZE, sizeof cmd};
  std::string mode = n.attrs.get_string("mode", "nearest");
  cmd.mode = mode == "linear" ? RNPU_RESIZE_BILINEAR : RNPU_RESIZE_NEAREST;
  std::string ct = n.attrs.get_string("coordinate_transformation_mode", "half_pixel");
  cmd.coord = ct == "align_corners"        ? RNPU_COORD_ALIGN_CORNERS
              : ct == "asymmetric"         ? RNPU_COORD_ASYMMETRIC
              : ct == "pytorch_half_pixel" ? RNPU_COORD_PYTORCH_HALF_PIXEL
                                           : RNPU_COORD_HALF_PIXEL;
  if (cmd.mode == RNPU_RESIZE_NEAREST) {
    std::string nm = n.attrs.get_string("nearest_mode", "round_prefer_floor");
    cmd.nearest = nm == "round_prefer_ceil" ? RNPU_NEAREST_ROUND_PREFER_CEIL
                  : nm == "floor"           ? RNPU_NEAREST_FLOOR
                  : nm == "ceil"            ? RNPU_NEAREST_CEIL
                                            : RNPU_NEAREST_ROUND_PREFER_FLOOR;
  }
  // ONNX: given scales are used as they are; with sizes, scale = out / in.
  size_t si = n.opset >= 11 ? 2 : 1;
  for (int ax = 0; ax < 2; ++ax) {
    float s = float(double(y.dims[size_t(2 + ax)]) / double(x.dims[size_t(2 + ax)]));
    if (c.has_in(n, si) && c.val(n.inputs[si]).constant &&
        c.val(n.inputs[si]).constant->numel() == 4)
      s = float(c.val(n.inputs[si]).constant->get_double(2 + ax));
    cmd.scale[ax] = fbits(s);
  }
  cmd.in = c.desc(x);
  cmd.out = c.desc(y);
  c.emit(&cmd, sizeof cmd, {&cmd.in, &cmd.out});
}

bool lower_vec(Codegen& c, const ir::Node& n) {
  const std::string& op = n.op;
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Min" || op == "Max" || op == "Div") {
    lower_binary(c, n);
  } else if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish" || op == "Gelu") {
    act(c, c.in(n, 0), c.out(n), act_from(n, op, 0, 0));
  } else if (op == "LeakyRelu") {
    act(c, c.in(n, 0), c.out(n), act_from(n, op, n.attrs.get_float("alpha", 0.01f), 0));
  } else if (op == "Elu") {
    act(c, c.in(n, 0), c.out(n), act_from(n, op, n.attrs.get_float("alpha", 1.f), 0));
  } else if (op == "HardSigmoid") {
    act(c, c.in(n, 0), c.out(n),
        act_from(n, op, n.attrs.get_float("alpha", 0.2f), n.attrs.get_float("beta", 0.5f)));
  } else if (op == "Clip") {
    float lo, hi;
    clip_bounds(c, n, &lo, &hi);
    act(c, c.in(n, 0), c.out(n), act_from(n, op, lo, hi));
  } else if (op == "BatchNormalization") {
    lower_batchnorm(c, n);
  } else if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" ||
             op == "GlobalMaxPool" || op == "ReduceMean") {
    lower_pool(c, n);
  } else if (op == "Softmax") {
    lower_softmax(c, n);
  } else if (op == "LayerNormalization") {
    lower_layernorm(c, n);
  } else if (op == "Resize") {
    lower_resize(c, n);
  } else {
    return false;
  }
  return true;
}

}  // namespace rnpu::npu
