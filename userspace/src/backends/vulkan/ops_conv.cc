// Conv and ConvTranspose (1-D and 2-D, grouped, dilated, strided, padded),
// with bias and fused activation.
#include <algorithm>
#include <cstring>

#include "ops.h"

namespace rnpu::vk {

namespace {

Support check_conv(const ir::Graph& g, const ir::Node& n, const Caps& caps) {
  std::string why;
  if (n.inputs.size() < 2 || n.outputs.size() != 1) return Support::no("expects X, W[, B] -> Y");
  if (!float_types(g, n, caps, &why, {0, 1, 2})) return Support::no(why);
  const ir::Shape& x = g.value(n.inputs[0]).shape;
  const ir::Shape& w = g.value(n.inputs[1]).shape;
  if (!x.has_rank || (x.rank() != 3 && x.rank() != 4)) return Support::no("only 1-D and 2-D");
  if (!w.has_rank || w.rank() != x.rank()) return Support::no("weight rank differs from input");
  std::string ap = n.attrs.get_string("auto_pad", "NOTSET");
  if (ap != "NOTSET" && ap != "VALID" && ap != "SAME_UPPER" && ap != "SAME_LOWER")
    return Support::no("auto_pad " + ap);
  return Support::yes();
}

struct ConvParams {
  int64_t batch, cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups, mg, cg;
};

// Spatial attributes of a 1-D or 2-D node, as 2-D (1-D gets H = 1).
void spatial(const ir::Node& n, size_t sp, std::vector<int64_t>* k, std::vector<int64_t>* s,
             std::vector<int64_t>* d, std::vector<int64_t>* pads) {
  *s = n.attrs.get_ints("strides", std::vector<int64_t>(sp, 1));
  *d = n.attrs.get_ints("dilations", std::vector<int64_t>(sp, 1));
  *pads = n.attrs.get_ints("pads", std::vector<int64_t>(2 * sp, 0));
  (void)k;
}

int64_t pad_begin(const std::string& ap, int64_t in, int64_t out, int64_t k, int64_t s, int64_t d,
                  int64_t explicit_begin) {
  if (ap == "VALID") return 0;
  if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
    int64_t total = std::max<int64_t>(0, (out - 1) * s + (k - 1) * d + 1 - in);
    return ap == "SAME_UPPER" ? total / 2 : total - total / 2;
  }
  return explicit_begin;
}

ConvParams conv_params(Lowerer& L, const ir::Node& n, bool transpose) {
  const auto& x = L.dims(n.inputs[0]);
  const auto& w = L.dims(n.inputs[1]);
  const auto& y = L.dims(n.outputs[0]);
  size_t sp = x.size() - 2;
  std::vector<int64_t> k, s, d, pads;
  spatial(n, sp, &k, &s, &d, &pads);
  if (s.size() != sp || d.size() != sp || pads.size() != 2 * sp)
    L.fail("strides/dilations/pads length does not match the spatial rank");
  auto at = [&](const std::vector<int64_t>& v, size_t i, int64_t def) {
    return sp == 2 ? v[i] : (i == 0 ? def : v[0]);
  };
  ConvParams p;
  p.batch = x[0];
  p.cin = x[1];
  p.h = sp == 2 ? x[2] : 1;
  p.w = x[sp == 2 ? 3 : 2];
  p.cout = y[1];
  p.oh = sp == 2 ? y[2] : 1;
  p.ow = y[sp == 2 ? 3 : 2];
  p.kh = sp == 2 ? w[2] : 1;
  p.kw = w[sp == 2 ? 3 : 2];
  p.sh = at(s, 0, 1);
  p.sw = at(s, 1, 1);
  p.dh = at(d, 0, 1);
  p.dw = at(d, 1, 1);
  p.groups = n.attrs.get_int("group", 1);
  if (p.groups <= 0 || p.cin % p.groups || p.cout % p.groups) L.fail("bad group count");
  p.cg = p.cin / p.groups;
  p.mg = p.cout / p.groups;
  std::string ap = n.attrs.get_string("auto_pad", "NOTSET");
  int64_t pb_h = sp == 2 ? pads[0] : 0, pb_w = pads[sp == 2 ? 1 : 0];
  if (!transpose) {
    if (w[1] != p.cg) L.fail("weight input channels do not match input / group");
    if (w[0] != p.cout) L.fail("weight output channels do not match the output");
    p.ph = sp == 2 ? pad_begin(ap, p.h, p.oh, p.kh, p.sh, p.dh, pb_h) : 0;
    p.pw = pad_begin(ap, p.w, p.ow, p.kw, p.sw, p.dw, pb_w);
  } else {
    if (w[0] != p.cin || w[1] != p.mg) L.fail("weight shape does not match [Cin, Cout/group, ...]");
    std::vector<int64_t> op = n.attrs.get_ints("output_padding", std::vector<int64_t>(sp, 0));
    bool from_shape = n.attrs.has("output_shape");
    auto tp = [&](int64_t in, int64_t out, int64_t k, int64_t s, int64_t d, int64_t opad,
                  int64_t explicit_begin) -> int64_t {
      if ((ap == "NOTSET" || ap == "VALID") && !from_shape)
        return ap == "VALID" ? 0 : explicit_begin;
      int64_t total = s * (in - 1) + opad + (k - 1) * d + 1 - out;
      // Floor division, as ONNX's reference: an output larger than the
      // natural one (negative total) grows at the end.
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      return ap == "SAME_UPPER" ? half : total - half;
    };
    p.ph = sp == 2 ? tp(p.h, p.oh, p.kh, p.sh, p.dh, op[0], pb_h) : 0;
    p.pw = tp(p.w, p.ow, p.kw, p.sw, p.dw, op[sp == 2 ? 1 : 0], pb_w);
  }
  return p;
}

void push_params(Kernel& k, const ConvParams& p) {
  k.u32(uint64_t(p.cin)).u32(uint64_t(p.h)).u32(uint64_t(p.w));
  k.u32(uint64_t(p.oh)).u32(uint64_t(p.ow));
  k.u32(uint64_t(p.kh)).u32(uint64_t(p.kw));
  k.u32(uint64_t(p.sh)).u32(uint64_t(p.sw));
  k.i32(p.ph).i32(p.pw);
  k.u32(uint64_t(p.dh)).u32(uint64_t(p.dw));
  k.u32(uint64_t(p.cout)).u32(uint64_t(p.groups));
  k.u32(uint64_t(p.mg)).u32(uint64_t(p.cg));
  k.u32(uint64_t(p.cg * p.kh * p.kw));
  k.u32(uint64_t(p.oh * p.ow));
}

// Weights [cout, cg, kh, kw] -> [group][ceil(mg/8)][k][8], zero padded
// (conv2d_reg.comp), for any element size.
Ref relayout_weights(Lowerer& L, const ir::ConstTensor& w, const ConvParams& p) {
  size_t es = ir::dtype_size(w.dtype);
  int64_t k = p.cg * p.kh * p.kw, mblocks = (p.mg + 7) / 8;
  std::vector<uint8_t> out(size_t(p.groups * mblocks * k * 8) * es, 0);
  const uint8_t* src = static_cast<const uint8_t*>(w.data);
  for (int64_t g = 0; g < p.groups; ++g)
    for (int64_t m = 0; m < p.mg; ++m)
      for (int64_t kk = 0; kk < k; ++kk) {
        size_t from = size_t((g * p.mg + m) * k + kk) * es;
        size_t to = size_t(((g * mblocks + m / 8) * k + kk) * 8 + m % 8) * es;
        std::memcpy(out.data() + to, src + from, es);
      }
  return L.constant(out.data(), out.size());
}

void lower_conv(Lowerer& L, const ir::Node& n) {
  ConvParams p = conv_params(L, n, false);
  std::vector<uint32_t> spec;
  if (!activation_spec(n, &spec)) L.fail("unknown fused activation");
  bool bias = n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue;
  ir::ValueId y = n.outputs[0];
  const ir::Value& wv = L.graph().value(n.inputs[1]);
  if (L.caps().cpu_kernels) {
    // Pointwise convolution is a GEMM per (batch, group): W[mg, cg] x X[cg, hw].
    bool pointwise = p.kh == 1 && p.kw == 1 && p.sh == 1 && p.sw == 1 && p.ph == 0 && p.pw == 0;
    if (pointwise && p.mg >= 8 && (p.groups == 1 || !bias)) {
      GemmDesc d;
      int64_t hw = p.oh * p.ow;
      d.m = p.mg;
      d.n = hw;
      d.k = p.cg;
      d.bd[1] = p.batch;
      d.bd[2] = p.groups;
      d.sa[1] = 0;
      d.sa[2] = p.mg * p.cg;
      d.sb[1] = p.cin * hw;
      d.sb[2] = p.cg * hw;
      d.a_rs = p.cg;
      d.a_cs = 1;
      d.b_rs = hw;
      d.b_cs = 1;
      d.c_rs = 1;
      d.c_cs = 0;
      d.beta = 1;
      emit_gemm(L, d, L.ref(n.inputs[1]), L.ref(n.inputs[0]), bias ? L.ref(n.inputs[2]) : Ref{},
                L.ref(y), L.dtype(y), spec);
      return;
    }
    if (p.cg == 1 && p.groups > 1) {
      spec.push_back(bias ? 1 : 0);
      int64_t owb = (p.ow + 7) / 8;
      uint64_t total = uint64_t(p.batch * p.cout * p.oh * owb);
      Kernel k(L, L.shader("dwconv_reg", L.dtype(y)));
      k.spec(spec).in(0, L.ref(n.inputs[0])).in(1, L.ref(n.inputs[1])).out(3, L.ref(y));
      if (bias) k.in(2, L.ref(n.inputs[2]));
      push_params(k, p);
      k.u32(uint64_t(owb)).u32(total).grid(total, 64).emit();
      return;
    }
    if (p.mg >= 8 && (p.groups == 1 || !bias)) {
      // im2col into a scratch buffer, a column chunk at a time, then a GEMM
      // writing that chunk's columns of the output.
      int64_t k = p.cg * p.kh * p.kw, hw = p.oh * p.ow, zb = p.batch * p.groups;
      size_t es = ir::dtype_size(L.dtype(y));
      const int64_t kChunkBytes = 16 << 20;
      int64_t nc = std::max<int64_t>(4, kChunkBytes / std::max<int64_t>(1, zb * k * int64_t(es)));
      nc = std::min(hw, nc / 4 * 4);
      if (nc <= 0) nc = hw;
      Ref cols = L.temp(size_t(zb * k * nc) * es);
      for (int64_t n0 = 0; n0 < hw; n0 += nc) {
        int64_t len = std::min(nc, hw - n0);
        Kernel ic(L, es == 2 ? "im2col_f16" : "im2col");
        ic.in(0, L.ref(n.inputs[0])).out(3, cols);
        ic.u32(uint64_t(p.cin)).u32(uint64_t(p.h)).u32(uint64_t(p.w));
        ic.u32(uint64_t(p.oh)).u32(uint64_t(p.ow));
        ic.u32(uint64_t(p.kh)).u32(uint64_t(p.kw)).u32(uint64_t(p.sh)).u32(uint64_t(p.sw));
        ic.i32(p.ph).i32(p.pw).u32(uint64_t(p.dh)).u32(uint64_t(p.dw));
        ic.u32(uint64_t(p.groups)).u32(uint64_t(p.cg)).u32(uint64_t(k));
        ic.u32(uint64_t(n0)).u32(uint64_t(len));
        uint64_t total = uint64_t(zb * k * ((len + 31) / 32));
        ic.u32(total).grid(total, 64).emit();
        GemmDesc d;
        d.m = p.mg;
        d.n = len;
        d.k = k;
        d.bd[1] = p.batch;
        d.bd[2] = p.groups;
        d.sa[2] = p.mg * k;
        d.sb[1] = p.groups * k * len;
        d.sb[2] = k * len;
        d.a_rs = k;
        d.a_cs = 1;
        d.b_rs = len;
        d.b_cs = 1;
        d.c_rs = 1;
        d.c_cs = 0;
        d.beta = 1;
        d.o_off = n0;
        d.o_rs = hw;
        d.o_zs = p.mg * hw;
        emit_gemm(L, d, L.ref(n.inputs[1]), cols, bias ? L.ref(n.inputs[2]) : Ref{}, L.ref(y),
                  L.dtype(y), spec);
      }
      return;
    }
    if (p.mg >= 8 && wv.constant) {
      spec.push_back(bias ? 1 : 0);
      int64_t owb = (p.ow + 3) / 4, mblocks = (p.mg + 7) / 8;
      Kernel k(L, L.shader("conv2d_reg", L.dtype(y)));
      k.spec(spec)
          .in(0, L.ref(n.inputs[0]))
          .in(1, relayout_weights(L, *wv.constant, p))
          .out(3, L.ref(y));
      if (bias) k.in(2, L.ref(n.inputs[2]));
      push_params(k, p);
      k.u32(uint64_t(owb)).u32(uint64_t(mblocks));
      k.groups(uint32_t((p.oh * owb + 63) / 64), uint32_t(mblocks), uint32_t(p.batch * p.groups));
      k.emit();
      return;
    }
  }
  spec.push_back(bias ? 1 : 0);
  // A 64-row GEMM tile needs enough output channels per group to pay off.
  bool gemm = !L.caps().cpu_kernels && p.mg >= 16;
  Kernel k(L, L.shader(gemm ? "conv2d_gemm" : "conv2d_direct", L.dtype(y)));
  k.spec(spec).in(0, L.ref(n.inputs[0])).in(1, L.ref(n.inputs[1])).out(3, L.ref(y));
  if (bias) k.in(2, L.ref(n.inputs[2]));
  push_params(k, p);
  if (gemm) {
    uint64_t n_px = uint64_t(p.oh * p.ow);
    k.groups(uint32_t((n_px + 63) / 64), uint32_t((p.mg + 63) / 64), uint32_t(p.batch * p.groups));
  } else {
    uint64_t total = uint64_t(p.batch * p.cout * p.oh * p.ow);
    k.u32(total).grid(total);
  }
  k.emit();
}

void lower_conv_transpose(Lowerer& L, const ir::Node& n) {
  ConvParams p = conv_params(L, n, true);
  std::vector<uint32_t> spec;
  if (!activation_spec(n, &spec)) L.fail("unknown fused activation");
  bool bias = n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue;
  spec.push_back(bias ? 1 : 0);
  ir::ValueId y = n.outputs[0];
  Kernel k(L, L.shader("conv_transpose2d", L.dtype(y)));
  k.spec(spec).in(0, L.ref(n.inputs[0])).in(1, L.ref(n.inputs[1])).out(3, L.ref(y));
  if (bias) k.in(2, L.ref(n.inputs[2]));
  push_params(k, p);
  uint64_t total = uint64_t(p.batch * p.cout * p.oh * p.ow);
  k.u32(total).grid(total).emit();
}

}  // namespace

std::vector<OpEntry> conv_ops() {
  return {{"Conv", {check_conv, lower_conv, true}},
          {"ConvTranspose", {check_conv, lower_conv_transpose, true}}};
}

}  // namespace rnpu::vk
