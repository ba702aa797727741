// ConvTranspose on hardware without a transposed mode.
//
// Stride equal to the kernel, no dilation, padding or output padding (the
// 2x2/stride-2 upsampling of FPN and DB heads): output pixels of phase
// (a, b), rows s*i + a and columns s*j + b, each take exactly one tap,
// w[:, :, a, b], of input pixel (i, j).  So s*s 1x1 CONV2Ds, one per phase,
// write into strided views of the output: no zeros multiplied, no
// upsampled copy.
//
// Otherwise the input is scattered with stride s into a zero-filled buffer
// z (DMA fill, strided DMA), and a stride-1 CONV2D with spatially flipped,
// in/out-swapped weights runs over z.  Exact: every product the transposed
// convolution forms appears once, the inserted zeros contribute nothing.
#include <cstring>

#include "npu/codegen_int.h"

namespace rnpu::npu {

bool convt_geom(const ir::Graph& g, const ir::Node& n, ConvTGeom* t) {
  std::vector<int64_t> xd = g.value(n.inputs[0]).shape.values();
  std::vector<int64_t> wd = g.value(n.inputs[1]).constant->dims;
  std::vector<int64_t> yd = g.value(n.outputs[0]).shape.values();
  if (xd.size() != 4 || wd.size() != 4 || yd.size() != 4) return false;
  t->n = xd[0];
  t->c = xd[1];
  t->h = xd[2];
  t->w = xd[3];
  t->groups = n.attrs.get_int("group", 1);
  t->oc = wd[1] * t->groups;
  t->kh = wd[2];
  t->kw = wd[3];
  std::vector<int64_t> s = n.attrs.get_ints("strides", {1, 1});
  std::vector<int64_t> d = n.attrs.get_ints("dilations", {1, 1});
  std::vector<int64_t> op = n.attrs.get_ints("output_padding", {0, 0});
  if (s.size() != 2 || d.size() != 2 || op.size() != 2) return false;
  int64_t k[2] = {t->kh, t->kw}, in[2] = {t->h, t->w}, pb[2] = {0, 0}, pe[2] = {0, 0};
  std::vector<int64_t> pads = n.attrs.get_ints("pads", {});
  std::string ap = n.attrs.get_string("auto_pad", "NOTSET");
  for (int i = 0; i < 2; ++i) {
    t->s[i] = s[size_t(i)];
    t->d[i] = d[size_t(i)];
    // Pads from the output size the shape pass resolved (covers
    // output_shape and auto_pad), split as ONNX specifies.
    int64_t total = s[size_t(i)] * (in[i] - 1) + op[size_t(i)] + (k[i] - 1) * d[size_t(i)] + 1 -
                    yd[size_t(2 + i)];
    if (pads.size() == 4 && ap == "NOTSET" && !n.attrs.has("output_shape")) {
      pb[i] = pads[size_t(i)];
      pe[i] = pads[size_t(i + 2)];
    } else if (ap == "SAME_UPPER") {
      pb[i] = total / 2;
      pe[i] = total - pb[i];
    } else {
      pe[i] = total / 2;
      pb[i] = total - pe[i];
    }
    int64_t span = d[size_t(i)] * (k[i] - 1);
    int64_t lo = span - pb[i], hi = span - pe[i] + op[size_t(i)];
    if (lo < 0 || hi < 0 || s[size_t(i)] < 1 || d[size_t(i)] < 1) return false;
    int64_t z = (in[i] - 1) * s[size_t(i)] + 1 + lo + hi;
    if (i == 0) {
      t->zt = lo;
      t->zh = z;
    } else {
      t->zl = lo;
      t->zw = z;
    }
  }
  return true;
}

bool convt_phased(const ConvTGeom& t) {
  return t.s[0] == t.kh && t.s[1] == t.kw && t.d[0] == 1 && t.d[1] == 1 && t.zt == t.kh - 1 &&
         t.zl == t.kw - 1 && t.zh == t.h * t.kh + t.kh - 1 && t.zw == t.w * t.kw + t.kw - 1;
}

// The products the transposed convolution defines: every input pixel times
// every tap and output channel of its group (what the roofline counts).
static uint64_t convt_macs(const ConvTGeom& t) {
  return uint64_t(t.n * t.c * t.h * t.w) * uint64_t(t.oc / t.groups * t.kh * t.kw);
}

// The bias as fp32, packed; an invalid tensor when the node has none.
static Tensor convt_bias(Codegen& c, const ir::Node& n, const ConvTGeom& t) {
  if (!c.has_in(n, 2)) return {};
  const ir::ConstTensor& b = *c.val(n.inputs[2]).constant;
  std::vector<double> bv(static_cast<size_t>(t.oc));
  for (int64_t i = 0; i < t.oc; ++i) bv[size_t(i)] = b.get_double(i);
  return c.pack(bv, {t.oc}, RNPU_DT_FP32);
}

static void lower_phased(Codegen& c, const ir::Node& n, const ConvTGeom& t) {
  const Tensor& x = c.in(n, 0);
  const Tensor& y = c.out(n);
  const ir::ConstTensor& w = *c.val(n.inputs[1]).constant;
  int64_t cg = t.c / t.groups, ocg = t.oc / t.groups, H = y.dims[2], W = y.dims[3];
  Tensor bt = convt_bias(c, n, t);
  for (int64_t a = 0; a < t.kh; ++a)
    for (int64_t b = 0; b < t.kw; ++b) {
      // W [C, OCg, KH, KW] -> the phase's 1x1 weights [OC, Cg, 1, 1].
      std::vector<double> wp(static_cast<size_t>(t.oc * cg));
      for (int64_t gi = 0; gi < t.groups; ++gi)
        for (int64_t o = 0; o < ocg; ++o)
          for (int64_t ci = 0; ci < cg; ++ci)
            wp[size_t((gi * ocg + o) * cg + ci)] =
                w.get_double((((gi * cg + ci) * ocg + o) * t.kh + a) * t.kw + b);
      Tensor wt = c.pack(wp, {t.oc, cg, 1, 1}, RNPU_DT_FP16);
      rnpu_cmd_conv2d cmd;
      std::memset(&cmd, 0, sizeof cmd);
      cmd.hdr = {RNPU_OP_CONV2D, sizeof cmd};
      cmd.stride[0] = cmd.stride[1] = 1;
      cmd.dilation[0] = cmd.dilation[1] = 1;
      cmd.groups = uint16_t(t.groups);
      cmd.act = fused_act(n);
      cmd.in = c.desc(x);
      cmd.weight = c.desc(wt);
      if (bt.valid()) cmd.bias = c.desc(bt);
      cmd.out = c.desc(y, {t.n, t.oc, t.h, t.w}, {t.oc * H * W, H * W, t.kh * W, t.kw},
                       uint64_t(a * W + b));
      c.emit(&cmd, sizeof cmd, {&cmd.in, &cmd.weight, &cmd.bias, &cmd.out});
    }
  c.cur_macs_ += convt_macs(t);
}

static void lower_convt(Codegen& c, const ir::Node& n) {
  ConvTGeom t;
  convt_geom(c.g(), n, &t);
  if (convt_phased(t)) return lower_phased(c, n, t);
  const Tensor& x = c.in(n, 0);
  const Tensor& y = c.out(n);
  Tensor z = c.temp(n, RNPU_DT_FP16, {t.n, t.c, t.zh, t.zw});

  Tensor zero = c.pack({0.0}, {1}, RNPU_DT_FP16);
  c.dma(c.desc(zero, z.dims, {0, 0, 0, 0}, 0), c.desc(z));
  std::vector<int64_t> zs = {t.c * t.zh * t.zw, t.zh * t.zw, t.s[0] * t.zw, t.s[1]};
  c.dma(c.desc(x), c.desc(z, x.dims, zs, uint64_t(t.zt * t.zw + t.zl)));

  // W [C, OCg, KH, KW] -> W' [OC, Cg, KH, KW], flipped in H and W.
  const ir::ConstTensor& w = *c.val(n.inputs[1]).constant;
  int64_t cg = t.c / t.groups, ocg = t.oc / t.groups;
  std::vector<double> wp(static_cast<size_t>(t.oc * cg * t.kh * t.kw));
  for (int64_t gi = 0; gi < t.groups; ++gi)
    for (int64_t o = 0; o < ocg; ++o)
      for (int64_t ci = 0; ci < cg; ++ci)
        for (int64_t i = 0; i < t.kh; ++i)
          for (int64_t j = 0; j < t.kw; ++j)
            wp[size_t((((gi * ocg + o) * cg + ci) * t.kh + i) * t.kw + j)] = w.get_double(
                (((gi * cg + ci) * ocg + o) * t.kh + (t.kh - 1 - i)) * t.kw + (t.kw - 1 - j));
  Tensor wt = c.pack(wp, {t.oc, cg, t.kh, t.kw}, RNPU_DT_FP16);

  rnpu_cmd_conv2d cmd;
  std::memset(&cmd, 0, sizeof cmd);
  cmd.hdr = {RNPU_OP_CONV2D, sizeof cmd};
  cmd.stride[0] = cmd.stride[1] = 1;
  cmd.dilation[0] = uint16_t(t.d[0]);
  cmd.dilation[1] = uint16_t(t.d[1]);
  cmd.groups = uint16_t(t.groups);
  cmd.act = fused_act(n);
  cmd.in = c.desc(z);
  cmd.weight = c.desc(wt);
  Tensor bt = convt_bias(c, n, t);
  if (bt.valid()) cmd.bias = c.desc(bt);
  cmd.out = c.desc(y);
  c.cur_macs_ += convt_macs(t);
  c.emit(&cmd, sizeof cmd, {&cmd.in, &cmd.weight, &cmd.bias, &cmd.out});
}

bool lower_convt_op(Codegen& c, const ir::Node& n) {
  if (n.op != "ConvTranspose") return false;
  lower_convt(c, n);
  return true;
}

}  // namespace rnpu::npu
