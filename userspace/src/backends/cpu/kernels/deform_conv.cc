// DeformConv (opset 19): a convolution whose taps are moved by learned
// offsets (one per tap, spatial axis and output position) and optionally
// weighted by a mask.  Taps land between pixels, so each is sampled with
// N-linear interpolation, pixels outside the input reading zero.
#include <cmath>
#include <string>

#include "conv_geom.h"
#include "kernel.h"

namespace rnpu::cpu {
namespace {

constexpr int64_t kMaxDim = int64_t(1) << 40;  // ir::kMaxElements

struct Geometry {
  int64_t n = 0, c = 0, m = 0, group = 1, offset_group = 1, nd = 0;
  WindowGeom w;
};

void expect_shape(const Tensor& t, const Shape& want, const char* what) {
  if (t.shape != want)
    fail(std::string("DeformConv ") + what + " " + shape_str(t.shape) + " must be " +
         shape_str(want));
}

Geometry geometry(const KernelContext& ctx, const Tensor& x, const Tensor& w) {
  const Attrs& a = ctx.attrs();
  if (x.rank() < 3) fail("DeformConv input must be (N, C, spatial...), got " + shape_str(x.shape));
  if (w.rank() != x.rank())
    fail("DeformConv weight " + shape_str(w.shape) + " and input " + shape_str(x.shape) +
         " differ in rank");
  Geometry g;
  g.nd = int64_t(x.rank()) - 2;
  g.n = x.shape[0];
  g.c = x.shape[1];
  g.m = w.shape[0];
  g.group = a.get_int("group", 1);
  g.offset_group = a.get_int("offset_group", 1);
  if (g.group < 1 || g.group > std::max<int64_t>(g.c, 1) || g.c % g.group || g.m % g.group ||
      w.shape[1] * g.group != g.c)
    fail("DeformConv group " + std::to_string(g.group) + " does not fit input channels " +
         std::to_string(g.c) + " and weight " + shape_str(w.shape));
  if (g.offset_group < 1 || g.offset_group > std::max<int64_t>(g.c, 1) || g.c % g.offset_group)
    fail("DeformConv offset_group " + std::to_string(g.offset_group) +
         " does not divide the input channels " + std::to_string(g.c));
  Shape in(x.shape.begin() + 2, x.shape.end()), k(w.shape.begin() + 2, w.shape.end());
  if (a.has("kernel_shape") && a.get_ints("kernel_shape") != k)
    fail("DeformConv kernel_shape disagrees with the weight shape " + shape_str(w.shape));
  // Bounded first, so window_geometry's products cannot overflow.
  for (const char* name : {"dilations", "strides", "pads"})
    for (int64_t v : a.get_ints(name))
      if (v < 0 || v > kMaxDim) fail(std::string("DeformConv ") + name + " value out of range");
  std::vector<int64_t> dil = a.get_ints("dilations", std::vector<int64_t>(k.size(), 1));
  for (size_t d = 0; d < k.size() && d < dil.size(); ++d) {
    int64_t ext = 0;
    if (k[d] < 1 || __builtin_mul_overflow(k[d] - 1, dil[d], &ext) || ext > kMaxDim)
      fail("DeformConv dilated kernel of weight " + shape_str(w.shape) + " is too large");
  }
  g.w = window_geometry(a, in, k, false);
  return g;
}

// The corners of one sample: input offsets (-1 outside) and weights.
struct Sample {
  std::vector<int64_t> at;
  std::vector<double> weight;
};

void corners(const std::vector<double>& pos, const Shape& in, const std::vector<int64_t>& strides,
             Sample* s) {
  size_t nd = pos.size(), count = size_t(1) << nd;
  s->at.assign(count, 0);
  s->weight.assign(count, 1.0);
  for (size_t d = 0; d < nd; ++d) {
    double p = pos[d];
    // Beyond one pixel outside, every corner reads zero; this also keeps
    // NaN, infinities and huge offsets out of the integer conversion.
    bool outside = !(p > -1.0 && p < double(in[d]));
    double lo = outside ? 0 : std::floor(p), frac = p - lo;
    for (size_t j = 0; j < count; ++j) {
      bool upper = (j >> (nd - 1 - d)) & 1;
      int64_t i = int64_t(lo) + (upper ? 1 : 0);
      if (outside || i < 0 || i >= in[d] || s->at[j] < 0) {
        s->at[j] = -1;
        continue;
      }
      s->at[j] += i * strides[d];
      s->weight[j] *= upper ? frac : 1.0 - frac;
    }
  }
}

template <class T>
void deform_conv(const Geometry& g, const Tensor& x, const Tensor& w, const Tensor& offset,
                 const Tensor* bias, const Tensor* mask, T* y) {
  const WindowGeom& wg = g.w;
  int64_t nd = g.nd, kn = wg.kernel_size(), pn = wg.spatial_out(), in_n = wg.spatial_in();
  int64_t cg = g.c / g.group, mg = g.m / g.group, cog = g.c / g.offset_group;
  std::vector<int64_t> in_strides = shape_strides(wg.in);
  const T* px = x.as<T>();
  const T* pw = w.as<T>();
  const T* po = offset.as<T>();
  const T* pm = mask ? mask->as<T>() : nullptr;
  std::vector<double> col(size_t(g.c * kn));  // column of one output position
  std::vector<double> pos(static_cast<size_t>(nd));
  std::vector<int64_t> out_idx(static_cast<size_t>(nd), 0), k_idx(static_cast<size_t>(nd), 0);
  Sample s;
  for (int64_t b = 0; b < g.n; ++b) {
    std::fill(out_idx.begin(), out_idx.end(), 0);
    for (int64_t p = 0; p < pn; ++p) {
      for (int64_t og = 0; og < g.offset_group; ++og) {
        std::fill(k_idx.begin(), k_idx.end(), 0);
        for (int64_t kp = 0; kp < kn; ++kp) {
          for (int64_t d = 0; d < nd; ++d) {
            int64_t oc = ((og * kn + kp) * nd + d);
            double off = double(po[(b * g.offset_group * kn * nd + oc) * pn + p]);
            pos[size_t(d)] =
                double(out_idx[size_t(d)] * wg.stride[size_t(d)] - wg.pad_begin[size_t(d)] +
                       k_idx[size_t(d)] * wg.dil[size_t(d)]) +
                off;
          }
          double mk = pm ? double(pm[((b * g.offset_group + og) * kn + kp) * pn + p]) : 1.0;
          corners(pos, wg.in, in_strides, &s);
          for (int64_t ch = og * cog; ch < (og + 1) * cog; ++ch) {
            const T* plane = px + (b * g.c + ch) * in_n;
            double v = 0;
            for (size_t j = 0; j < s.at.size(); ++j)
              if (s.at[j] >= 0) v += s.weight[j] * double(plane[s.at[j]]);
            col[size_t(ch * kn + kp)] = v * mk;
          }
          for (int64_t d = nd; d-- > 0;) {
            if (++k_idx[size_t(d)] < wg.kernel[size_t(d)]) break;
            k_idx[size_t(d)] = 0;
          }
        }
      }
      for (int64_t m = 0; m < g.m; ++m) {
        int64_t grp = m / mg;
        const T* wm = pw + m * cg * kn;
        const double* cm = col.data() + grp * cg * kn;
        double acc = bias ? double(bias->as<T>()[m]) : 0.0;
        for (int64_t i = 0; i < cg * kn; ++i) acc += double(wm[i]) * cm[i];
        y[(b * g.m + m) * pn + p] = T(acc);
      }
      for (int64_t d = nd; d-- > 0;) {
        if (++out_idx[size_t(d)] < wg.out[size_t(d)]) break;
        out_idx[size_t(d)] = 0;
      }
    }
  }
}

void k_deform_conv(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& w = c.in(1);
  const Tensor& offset = c.in(2);
  const Tensor* bias = c.opt(3);
  const Tensor* mask = c.opt(4);
  Geometry g = geometry(c, x, w);
  if (g.nd > 6) fail("DeformConv supports at most 6 spatial dimensions");
  int64_t kn = g.w.kernel_size();
  Shape out = {g.n, g.m}, off_shape = {g.n, g.offset_group * kn * g.nd},
        mask_shape = {g.n, g.offset_group * kn};
  for (int64_t d : g.w.out) {
    out.push_back(d);
    off_shape.push_back(d);
    mask_shape.push_back(d);
  }
  expect_shape(offset, off_shape, "offset");
  if (mask) expect_shape(*mask, mask_shape, "mask");
  if (bias) expect_shape(*bias, {g.m}, "bias");
  for (const Tensor* t : {&w, &offset, bias, mask})
    if (t && t->dtype != x.dtype) fail("DeformConv inputs must all have X's element type");
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, x.dtype, out);
    if (y.numel() == 0) return;
    deform_conv<T>(g, x, w, offset, bias, mask, y.as<T>());
  });
  if (!ok) fail(std::string("DeformConv does not support element type ") + dtype_name(x.dtype));
}

}  // namespace

void register_deform_conv(KernelRegistry& r) {
  r.add({"DeformConv", k_deform_conv, kFloatTypes | kHalfTypes});
}

}  // namespace rnpu::cpu
