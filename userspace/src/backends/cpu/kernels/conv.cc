// Reference convolutions (any spatial rank, groups, dilations):
// Conv, ConvTranspose, ConvInteger, QLinearConv.  im2col + gemm per group.
#include <algorithm>
#include <cmath>

#include "conv_geom.h"
#include "gemm.h"
#include "kernel.h"
#include "quant_util.h"

namespace rnpu::cpu {
namespace {

// y[N,M,out...] = conv(x[N,C,in...], w[M,C/g,k...]) (+ bias[M]); x and w
// already in the accumulation type with zero points removed.
template <class T>
void conv_core(const T* x, const T* w, const T* bias, T* y, const ConvGeom& g) {
  int64_t cg = g.c / g.group, mg = g.m / g.group;
  int64_t kn = g.w.kernel_size(), pn = g.w.spatial_out(), in_n = g.w.spatial_in();
  std::vector<T> col(size_t(cg * kn * pn));
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t gr = 0; gr < g.group; ++gr) {
      const T* xg = x + (n * g.c + gr * cg) * in_n;
      im2col<T>(xg, cg, g.w, T(0), col.data());
      T* yg = y + (n * g.m + gr * mg) * pn;
      gemm_nn<T>(mg, pn, cg * kn, w + gr * mg * cg * kn, cg * kn, col.data(), pn, yg, pn, false);
      if (bias)
        for (int64_t m = 0; m < mg; ++m)
          for (int64_t p = 0; p < pn; ++p) yg[m * pn + p] += bias[gr * mg + m];
    }
}

Shape conv_out_shape(const ConvGeom& g) {
  Shape s{g.n, g.m};
  s.insert(s.end(), g.w.out.begin(), g.w.out.end());
  return s;
}

void k_conv(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& w = c.in(1);
  const Tensor* b = c.opt(2);
  if (w.dtype != x.dtype || (b && b->dtype != x.dtype)) fail("Conv inputs differ in element type");
  ConvGeom g = conv_geometry(c.attrs(), x.shape, w.shape);
  if (b && b->numel() != g.m) fail("Conv bias length differs from output channels");
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, x.dtype, conv_out_shape(g));
    conv_core<T>(x.as<T>(), w.as<T>(), b ? b->as<T>() : nullptr, y.as<T>(), g);
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

// ConvTranspose as the adjoint of a forward conv: gemm into columns, then
// scatter-add (col2im) into the output.
void k_conv_transpose(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& w = c.in(1);
  const Tensor* b = c.opt(2);
  ConvTransposeGeom tg = conv_transpose_geometry(c.attrs(), x.shape, w.shape);
  const WindowGeom& g = tg.w;
  int64_t n = tg.n, ci = tg.c, mo = tg.m, group = tg.group;
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Shape ys{n, mo};
    ys.insert(ys.end(), g.in.begin(), g.in.end());
    Tensor& y = c.out(0, x.dtype, ys);
    int64_t cg = ci / group, mg = mo / group;
    int64_t kn = g.kernel_size(), pn = g.spatial_out(), yn = g.spatial_in();
    std::vector<T> col(size_t(mg * kn * pn));
    std::vector<T> wt(size_t(mg * kn * cg));
    for (int64_t gr = 0; gr < group; ++gr) {
      // wt[(m,k), c] = w[gr*cg + c, m, k]
      const T* wg = w.as<T>() + gr * cg * mg * kn;
      for (int64_t cc = 0; cc < cg; ++cc)
        for (int64_t mk = 0; mk < mg * kn; ++mk) wt[size_t(mk * cg + cc)] = wg[cc * mg * kn + mk];
      for (int64_t b0 = 0; b0 < n; ++b0) {
        const T* xg = x.as<T>() + (b0 * ci + gr * cg) * pn;
        gemm_nn<T>(mg * kn, pn, cg, wt.data(), cg, xg, pn, col.data(), pn, false);
        col2im<T>(col.data(), mg, g, y.as<T>() + (b0 * mo + gr * mg) * yn);
      }
    }
    if (b) {
      if (b->numel() != mo) fail("ConvTranspose bias length differs from output channels");
      for (int64_t b0 = 0; b0 < n; ++b0)
        for (int64_t m = 0; m < mo; ++m)
          for (int64_t p = 0; p < yn; ++p) y.as<T>()[(b0 * mo + m) * yn + p] += b->as<T>()[m];
    }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

// Integer convolution in int32 with zero points removed; returns the
// accumulator tensor shaped like the output.
std::vector<int32_t> int_conv(const Tensor& x, const Tensor* xzp, const Tensor& w,
                              const Tensor* wzp, const Tensor* bias, const ConvGeom& g) {
  std::vector<int32_t> xi = widen_minus_zp(x, xzp, 1);
  // Weight zero points may be per output channel (axis 0).
  std::vector<int32_t> wi = widen_minus_zp(w, wzp, g.m);
  std::vector<int32_t> bi;
  if (bias) {
    if (bias->dtype != DType::kI32) fail("quantized conv bias must be int32");
    bi.assign(bias->as<int32_t>(), bias->as<int32_t>() + bias->numel());
  }
  std::vector<int32_t> y(size_t(g.n * g.m * g.w.spatial_out()));
  conv_core<int32_t>(xi.data(), wi.data(), bias ? bi.data() : nullptr, y.data(), g);
  return y;
}

void k_conv_integer(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& w = c.in(1);
  ConvGeom g = conv_geometry(c.attrs(), x.shape, w.shape);
  std::vector<int32_t> acc = int_conv(x, c.opt(2), w, c.opt(3), nullptr, g);
  Tensor& y = c.out(0, DType::kI32, conv_out_shape(g));
  std::copy(acc.begin(), acc.end(), y.as<int32_t>());
}

void k_qlinear_conv(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& w = c.in(3);
  ConvGeom g = conv_geometry(c.attrs(), x.shape, w.shape);
  std::vector<int32_t> acc = int_conv(x, &c.in(2), w, &c.in(5), c.opt(8), g);
  float xs = float(tensor_get_double(c.in(1), 0));
  std::vector<double> ws = tensor_to_doubles(c.in(4));
  float ys = float(tensor_get_double(c.in(6), 0));
  const Tensor& yzp = c.in(7);
  Tensor& y = c.out(0, yzp.dtype, conv_out_shape(g));
  int64_t pn = g.w.spatial_out();
  std::vector<float> scale(size_t(g.m));
  for (int64_t m = 0; m < g.m; ++m)
    scale[size_t(m)] = xs * float(ws.size() == 1 ? ws[0] : ws[size_t(m)]) / ys;
  int32_t zp = int32_t(tensor_get_int(yzp, 0));
  for (int64_t i = 0; i < int64_t(acc.size()); ++i) {
    int64_t m = (i / pn) % g.m;
    store_quantized(y, i, float(acc[size_t(i)]) * scale[size_t(m)], zp);
  }
}

std::string check_qconv(const NodeInfo& n) {
  for (size_t i : {size_t(0), size_t(3)})
    if (i < n.input_types.size() && n.input_types[i] != DType::kU8 &&
        n.input_types[i] != DType::kI8)
      return "quantized convolution needs int8/uint8 data and weights";
  return "";
}

}  // namespace

void register_conv(KernelRegistry& r) {
  r.add({"Conv", k_conv, kFloatTypes | kHalfTypes});
  r.add({"ConvTranspose", k_conv_transpose, kFloatTypes | kHalfTypes});
  r.add({"ConvInteger", k_conv_integer, kIntTypes});
  r.add({"QLinearConv", k_qlinear_conv, 0, check_qconv});
}

}  // namespace rnpu::cpu
