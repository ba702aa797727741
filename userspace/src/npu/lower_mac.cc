// CONV2D and MATMUL lowering: Conv (incl. depthwise/grouped/strided/
// dilated/padded, 1-D as H = 1), Gemm and MatMul.  Weights are packed once
// here: fp16, or int8 with per-channel scales and the bias requantised to
// the accumulator's scale (sx * sw[oc]).
#include <cmath>
#include <cstring>

#include "ir/fused_activation.h"
#include "npu/codegen_int.h"

namespace rnpu::npu {

namespace {

struct ConvGeom {
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 0, pl = 0, pb = 0, pr = 0, groups = 1;
};

// auto_pad SAME_* / VALID resolved against the input size.
void same_pad(const std::string& mode, int64_t in, int64_t k, int64_t s, int64_t d, int64_t* a,
              int64_t* b) {
  if (mode == "VALID") {
    *a = *b = 0;
    return;
  }
  int64_t out = (in + s - 1) / s;
  int64_t total = std::max<int64_t>((out - 1) * s + (k - 1) * d + 1 - in, 0);
  *a = mode == "SAME_LOWER" ? total - total / 2 : total / 2;
  *b = total - *a;
}

}  // namespace

// Per-channel weight scales (or one), and a single zero point.
static bool weight_quant(const ir::Value& w, size_t channels, std::vector<float>* scales,
                         int32_t* zp) {
  if (!w.quant) return false;
  const auto& q = *w.quant;
  if (q.scale.size() != 1 && (q.scale.size() != channels || q.axis != 0)) return false;
  for (int32_t z : q.zero_point)
    if (z != q.zero_point[0]) return false;
  *zp = q.zero_point.empty() ? 0 : q.zero_point[0];
  *scales = q.scale;
  return true;
}

rnpu_act_params fused_act(const ir::Node& n) {
  const ir::FusedActivation fa = ir::fused_activation(n);
  return act_from(n, fa.op, fa.alpha, fa.beta);
}

// Weights [OC, ...] as a device tensor: fp16, or int8 (per-channel axis 0).
static Tensor pack_weights(Codegen& c, const ir::Node& n, ir::ValueId wid, bool quant,
                           std::vector<int64_t> dims, std::vector<float>* wscale) {
  const ir::Value& w = c.val(wid);
  if (!quant) return c.pack_value(wid, RNPU_DT_FP16);
  int32_t zp = 0;
  if (!weight_quant(w, size_t(dims[0]), wscale, &zp))
    ir::node_error(ErrorCode::kUnsupportedOp, n, "npu: weight quantisation");
  std::vector<double> v(static_cast<size_t>(w.constant->numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = w.constant->get_double(int64_t(i));
  uint8_t dt = w.dtype == DataType::kInt8 ? RNPU_DT_INT8 : RNPU_DT_UINT8;
  Tensor t = c.pack(v, std::move(dims), dt, (*wscale)[0], zp);
  if (wscale->size() > 1) {
    t.qscale_buf = c.add_weight_bytes(wscale->data(), wscale->size() * 4);
    t.q_axis = 0;
    t.scale = 0;
  }
  return t;
}

// Bias: fp32 as is on the float path; on the int8 path the real bias in
// the accumulator's scale, as int32 (plain integers).
static Tensor pack_bias(Codegen& c, ir::ValueId bid, bool quant, float sx,
                        const std::vector<float>& wscale, int64_t n) {
  const ir::Value& b = c.val(bid);
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double x = b.constant->get_double(i);
    if (b.quant)
      x = (x - (b.quant->zero_point.empty() ? 0 : b.quant->zero_point[0])) *
          b.quant->scale[b.quant->scale.size() == 1 ? 0 : size_t(i)];
    v[size_t(i)] = x;
  }
  if (!quant) return c.pack(v, {n}, RNPU_DT_FP32);
  for (int64_t i = 0; i < n; ++i) {
    double acc_scale = double(sx) * wscale[wscale.size() == 1 ? 0 : size_t(i)];
    v[size_t(i)] =
        std::nearbyint(std::clamp(v[size_t(i)] / acc_scale, -2147483648.0, 2147483647.0));
  }
  return c.pack(v, {n}, RNPU_DT_INT32);
}

// Geometry of a Conv on its 4-D form (1-D convs as H = 1).
struct ConvShape {
  ConvGeom g;
  bool one_d = false;
  std::vector<int64_t> wd;  // weight dims, 4-D
};

static ConvShape conv_shape(const ir::Graph& gr, const ir::Node& n, std::vector<int64_t> xd) {
  ConvShape r;
  ConvGeom& g = r.g;
  r.wd = gr.value(n.inputs[1]).constant->dims;
  r.one_d = r.wd.size() == 3;
  std::vector<int64_t> s = n.attrs.get_ints("strides", {});
  std::vector<int64_t> d = n.attrs.get_ints("dilations", {});
  std::vector<int64_t> p = n.attrs.get_ints("pads", {});
  g.groups = n.attrs.get_int("group", 1);
  if (r.one_d) {  // [N, C, W] -> [N, C, 1, W]
    xd.insert(xd.begin() + 2, 1);
    r.wd.insert(r.wd.begin() + 2, 1);
    if (!s.empty()) s.insert(s.begin(), 1);
    if (!d.empty()) d.insert(d.begin(), 1);
    if (p.size() == 2) p = {0, p[0], 0, p[1]};
  }
  g.kh = r.wd[2];
  g.kw = r.wd[3];
  if (s.size() == 2) g.sh = s[0], g.sw = s[1];
  if (d.size() == 2) g.dh = d[0], g.dw = d[1];
  std::string ap = n.attrs.get_string("auto_pad", "NOTSET");
  if (ap != "NOTSET") {
    same_pad(ap, xd[2], g.kh, g.sh, g.dh, &g.pt, &g.pb);
    same_pad(ap, xd[3], g.kw, g.sw, g.dw, &g.pl, &g.pr);
  } else if (p.size() == 4) {
    g.pt = p[0], g.pl = p[1], g.pb = p[2], g.pr = p[3];
  }
  return r;
}

bool conv_rows(const ir::Graph& g, const ir::Node& n, RowGeom* r) {
  const ir::Value& x = g.value(n.inputs[0]);
  if (!x.shape.is_static() || x.shape.rank() != 4) return false;
  ConvShape s = conv_shape(g, n, x.shape.values());
  r->k = s.g.dh * (s.g.kh - 1) + 1;
  r->s = s.g.sh;
  r->pt = s.g.pt;
  r->pb = s.g.pb;
  return true;
}

static void lower_conv(Codegen& c, const ir::Node& n) {
  const Tensor& x = c.in(n, 0);
  const Tensor& y = c.out(n);
  std::vector<int64_t> xd = x.dims, yd = y.dims;
  ConvShape cs = conv_shape(c.g(), n, xd);
  ConvGeom g = cs.g;
  std::vector<int64_t> wd = cs.wd;
  if (cs.one_d) {
    xd.insert(xd.begin() + 2, 1);
    yd.insert(yd.begin() + 2, 1);
  }
  if (const RowWindow* w = c.row_window()) {  // one band of a tiled group
    g.pt = w->pt;
    g.pb = w->pb;
  }
  bool quant = x.dt != RNPU_DT_FP16;
  // Packed once, whatever the number of bands the node is lowered in.
  const std::vector<Tensor>& packed = c.packed(n, [&] {
    std::vector<float> wscale;
    std::vector<Tensor> t{pack_weights(c, n, n.inputs[1], quant, wd, &wscale)};
    if (c.has_in(n, 2)) t.push_back(pack_bias(c, n.inputs[2], quant, x.scale, wscale, wd[0]));
    return t;
  });

  rnpu_cmd_conv2d cmd;
  std::memset(&cmd, 0, sizeof cmd);
  cmd.hdr = {RNPU_OP_CONV2D, sizeof cmd};
  cmd.stride[0] = uint16_t(g.sh);
  cmd.stride[1] = uint16_t(g.sw);
  cmd.dilation[0] = uint16_t(g.dh);
  cmd.dilation[1] = uint16_t(g.dw);
  cmd.pad[0] = uint16_t(g.pt);
  cmd.pad[1] = uint16_t(g.pl);
  cmd.pad[2] = uint16_t(g.pb);
  cmd.pad[3] = uint16_t(g.pr);
  cmd.groups = uint16_t(g.groups);
  cmd.act = fused_act(n);
  cmd.in = c.desc(x, xd, strides_of(x, xd), 0);
  cmd.weight = c.desc(packed[0], wd, strides_of(packed[0], wd), 0);
  if (packed.size() > 1) cmd.bias = c.desc(packed[1]);
  cmd.out = c.desc(y, yd, strides_of(y, yd), 0);
  c.cur_macs_ += uint64_t(numel(yd)) * uint64_t(wd[1] * wd[2] * wd[3]);
  c.emit(&cmd, sizeof cmd, {&cmd.in, &cmd.weight, &cmd.bias, &cmd.out});
}

// MATMUL with a and b padded to the output's rank (batch dims of 1
// broadcast).  b_trans: b is [.., N, K].
static void emit_matmul(Codegen& c, const ir::Node& n, const Tensor& a, const Tensor& b,
                        bool b_trans, const Tensor* bias, const Tensor& y) {
  size_t r = y.dims.size();
  auto padded = [&](std::vector<int64_t> d) {
    while (d.size() < r) d.insert(d.begin(), 1);
    return d;
  };
  std::vector<int64_t> ad = padded(a.dims), bd = padded(b.dims);
  rnpu_cmd_matmul cmd;
  std::memset(&cmd, 0, sizeof cmd);
  cmd.hdr = {RNPU_OP_MATMUL, sizeof cmd};
  cmd.flags = b_trans ? RNPU_MATMUL_TRANS_B : 0;
  cmd.act = fused_act(n);
  cmd.a = c.desc(a, ad, dense_strides(ad), 0);
  Tensor bt = b;
  if (bt.qscale_buf >= 0) bt.q_axis = int(b_trans ? r - 2 : r - 1);
  cmd.b = c.desc(bt, bd, dense_strides(bd), 0);
  if (bias) cmd.bias = c.desc(*bias);
  cmd.out = c.desc(y);
  c.cur_macs_ += uint64_t(numel(y.dims)) * uint64_t(ad[r - 1]);
  c.emit(&cmd, sizeof cmd, {&cmd.a, &cmd.b, &cmd.bias, &cmd.out});
}

static void lower_gemm(Codegen& c, const ir::Node& n) {
  const Tensor& a = c.in(n, 0);
  const Tensor& y = c.out(n);
  bool tb = n.attrs.get_int("transB", 0) != 0;
  float alpha = n.attrs.get_float("alpha", 1.f), beta = n.attrs.get_float("beta", 1.f);
  bool quant = a.dt != RNPU_DT_FP16;
  const ir::Value& bv = c.val(n.inputs[1]);
  int64_t N = y.dims[1];
  Tensor b;
  std::vector<float> wscale;
  if (bv.is_constant()) {
    std::vector<int64_t> bd = bv.constant->dims;
    if (quant) {
      // Per-channel on N: the weight axis is 0 when transposed ([N, K]).
      b = pack_weights(c, n, n.inputs[1], true, bd, &wscale);
    } else {
      std::vector<double> v(static_cast<size_t>(bv.constant->numel()));
      for (size_t i = 0; i < v.size(); ++i) v[i] = alpha * bv.constant->get_double(int64_t(i));
      b = c.pack(v, bd, RNPU_DT_FP16);
    }
  } else {
    b = c.in(n, 1);
  }
  Tensor bias;
  bool has_bias = c.has_in(n, 2);
  if (has_bias && quant) {
    bias = pack_bias(c, n.inputs[2], true, a.scale, wscale, N);
  } else if (has_bias) {
    const ir::Value& cv = c.val(n.inputs[2]);
    std::vector<double> v(static_cast<size_t>(N));
    for (int64_t i = 0; i < N; ++i)
      v[size_t(i)] = beta * cv.constant->get_double(cv.constant->numel() == 1 ? 0 : i);
    bias = c.pack(v, {N}, RNPU_DT_FP32);
  }
  emit_matmul(c, n, a, b, tb, has_bias ? &bias : nullptr, y);
}

static void lower_matmul(Codegen& c, const ir::Node& n) {
  const Tensor& a = c.in(n, 0);
  const ir::Value& bv = c.val(n.inputs[1]);
  Tensor b;
  if (bv.is_constant() && a.dt != RNPU_DT_FP16) {
    std::vector<float> wscale;
    const auto& q = bv.quant;
    // Per-channel MatMul weights are [K, N] with the axis on N.
    if (!q || (q->scale.size() != 1 && q->axis != int(bv.constant->dims.size()) - 1))
      ir::node_error(ErrorCode::kUnsupportedOp, n, "npu: weight quantisation");
    std::vector<double> v(static_cast<size_t>(bv.constant->numel()));
    for (size_t i = 0; i < v.size(); ++i) v[i] = bv.constant->get_double(int64_t(i));
    int32_t zp = q->zero_point.empty() ? 0 : q->zero_point[0];
    b = c.pack(v, bv.constant->dims, bv.dtype == DataType::kInt8 ? RNPU_DT_INT8 : RNPU_DT_UINT8,
               q->scale[0], zp);
    if (q->scale.size() > 1) {
      b.qscale_buf = c.add_weight_bytes(q->scale.data(), q->scale.size() * 4);
      b.scale = 0;
    }
  } else {
    b = c.in(n, 1);
  }
  emit_matmul(c, n, a, b, false, nullptr, c.out(n));
}

bool lower_mac(Codegen& c, const ir::Node& n) {
  if (n.op == "Conv")
    lower_conv(c, n);
  else if (n.op == "Gemm")
    lower_gemm(c, n);
  else if (n.op == "MatMul")
    lower_matmul(c, n);
  else
    return false;
  return true;
}

}  // namespace rnpu::npu
