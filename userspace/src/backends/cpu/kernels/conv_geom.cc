#include "conv_geom.h"

#include <algorithm>

#include "kernel.h"

namespace rnpu::cpu {

WindowGeom window_geometry(const Attrs& a, const Shape& in, const Shape& kernel, bool allow_ceil) {
  size_t r = in.size();
  WindowGeom g;
  g.in = in;
  g.kernel = kernel;
  if (kernel.size() != r)
    fail("kernel has " + std::to_string(kernel.size()) + " spatial dims, input has " +
         std::to_string(r));
  g.stride = a.get_ints("strides", std::vector<int64_t>(r, 1));
  g.dil = a.get_ints("dilations", std::vector<int64_t>(r, 1));
  std::vector<int64_t> pads = a.get_ints("pads", std::vector<int64_t>(2 * r, 0));
  if (g.stride.size() != r || g.dil.size() != r || pads.size() != 2 * r)
    fail("strides/dilations/pads length does not match the spatial rank");
  std::string auto_pad = a.get_string("auto_pad", "NOTSET");
  bool ceil_mode = allow_ceil && a.get_int("ceil_mode", 0) != 0;
  g.out.resize(r);
  g.pad_begin.resize(r);
  g.pad_end.resize(r);
  for (size_t i = 0; i < r; ++i) {
    if (g.stride[i] <= 0 || g.dil[i] <= 0) fail("strides and dilations must be positive");
    int64_t ek = (kernel[i] - 1) * g.dil[i] + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      int64_t o = (in[i] + g.stride[i] - 1) / g.stride[i];
      int64_t total = std::max<int64_t>(0, (o - 1) * g.stride[i] + ek - in[i]);
      int64_t small = total / 2;
      g.pad_begin[i] = auto_pad == "SAME_UPPER" ? small : total - small;
      g.pad_end[i] = total - g.pad_begin[i];
      g.out[i] = o;
      continue;
    }
    if (auto_pad == "VALID") {
      g.pad_begin[i] = g.pad_end[i] = 0;
    } else if (auto_pad == "NOTSET" || auto_pad.empty()) {
      g.pad_begin[i] = pads[i];
      g.pad_end[i] = pads[i + r];
    } else {
      fail("unknown auto_pad '" + auto_pad + "'");
    }
    int64_t span = in[i] + g.pad_begin[i] + g.pad_end[i] - ek;
    if (span < 0) fail("kernel larger than the padded input");
    int64_t o = ceil_mode ? (span + g.stride[i] - 1) / g.stride[i] + 1 : span / g.stride[i] + 1;
    // A window must start inside the input or the left padding.
    if (ceil_mode && (o - 1) * g.stride[i] >= in[i] + g.pad_begin[i]) --o;
    g.out[i] = o;
  }
  return g;
}

ConvGeom conv_geometry(const Attrs& a, const Shape& x, const Shape& w) {
  if (x.size() < 3) fail("Conv input must have rank >= 3, got " + shape_str(x));
  if (w.size() != x.size()) fail("Conv weight rank differs from input rank");
  ConvGeom g;
  g.n = x[0];
  g.c = x[1];
  g.m = w[0];
  g.group = a.get_int("group", 1);
  if (g.group <= 0 || g.c % g.group || g.m % g.group)
    fail("Conv group " + std::to_string(g.group) + " does not divide channels");
  if (w[1] != g.c / g.group)
    fail("Conv weight " + shape_str(w) + " does not match input channels " + std::to_string(g.c) +
         " / group " + std::to_string(g.group));
  Shape in(x.begin() + 2, x.end());
  Shape k(w.begin() + 2, w.end());
  if (a.has("kernel_shape") && a.get_ints("kernel_shape") != k)
    fail("Conv kernel_shape attribute disagrees with the weight shape");
  g.w = window_geometry(a, in, k, false);
  return g;
}

ConvTransposeGeom conv_transpose_geometry(const Attrs& a, const Shape& x, const Shape& w) {
  if (x.size() < 3 || w.size() != x.size()) fail("ConvTranspose needs matching ranks >= 3");
  size_t r = x.size() - 2;
  ConvTransposeGeom t;
  t.group = a.get_int("group", 1);
  t.n = x[0];
  t.c = x[1];
  if (t.group <= 0 || t.c % t.group) fail("ConvTranspose group does not divide input channels");
  t.m = w[1] * t.group;
  if (w[0] != t.c) fail("ConvTranspose weight does not match input channels");
  WindowGeom& g = t.w;
  g.kernel.assign(w.begin() + 2, w.end());
  g.stride = a.get_ints("strides", std::vector<int64_t>(r, 1));
  g.dil = a.get_ints("dilations", std::vector<int64_t>(r, 1));
  t.output_padding = a.get_ints("output_padding", std::vector<int64_t>(r, 0));
  std::vector<int64_t> pads = a.get_ints("pads", std::vector<int64_t>(2 * r, 0));
  std::vector<int64_t> oshape = a.get_ints("output_shape");
  std::string auto_pad = a.get_string("auto_pad", "NOTSET");
  if (g.stride.size() != r || g.dil.size() != r || t.output_padding.size() != r ||
      pads.size() != 2 * r)
    fail("ConvTranspose strides/dilations/pads length does not match spatial rank");
  if (oshape.size() == r + 2) oshape.erase(oshape.begin(), oshape.begin() + 2);
  if (!oshape.empty() && oshape.size() != r) fail("ConvTranspose output_shape has the wrong rank");
  g.out.assign(x.begin() + 2, x.end());
  g.in.resize(r);
  g.pad_begin.resize(r);
  g.pad_end.resize(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t ek = (g.kernel[i] - 1) * g.dil[i] + 1;
    int64_t full = g.stride[i] * (g.out[i] - 1) + t.output_padding[i] + ek;
    if (!oshape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      int64_t target = !oshape.empty() ? oshape[i] : g.out[i] * g.stride[i];
      int64_t total = full - target;
      // Floor division: the total may be negative (output_shape larger).
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      if (auto_pad == "SAME_UPPER") {
        g.pad_begin[i] = half;
        g.pad_end[i] = total - half;
      } else {
        g.pad_begin[i] = total - half;
        g.pad_end[i] = half;
      }
    } else if (auto_pad == "VALID") {
      g.pad_begin[i] = g.pad_end[i] = 0;
    } else {
      g.pad_begin[i] = pads[i];
      g.pad_end[i] = pads[i + r];
    }
    g.in[i] = full - g.pad_begin[i] - g.pad_end[i];
    if (g.in[i] <= 0) fail("ConvTranspose output size is not positive");
  }
  return t;
}

namespace {

// Calls f(kpos, p, input_offset or -1) for every kernel position and output
// position of one channel.
template <class F>
void for_each_tap(const WindowGeom& g, F f) {
  size_t r = g.in.size();
  int64_t kn = g.kernel_size(), pn = g.spatial_out();
  std::vector<int64_t> in_st = shape_strides(g.in);
  std::vector<int64_t> kidx(r, 0), pidx(r, 0);
  for (int64_t kp = 0; kp < kn; ++kp) {
    std::fill(pidx.begin(), pidx.end(), 0);
    for (int64_t p = 0; p < pn; ++p) {
      int64_t off = 0;
      for (size_t d = 0; d < r; ++d) {
        int64_t pos = pidx[d] * g.stride[d] - g.pad_begin[d] + kidx[d] * g.dil[d];
        if (pos >= 0 && pos < g.in[d]) {
          if (off >= 0) off += pos * in_st[d];
          continue;
        }
        if (pos < -g.pad_begin[d] || pos >= g.in[d] + g.pad_end[d]) {
          off = -2;
          break;
        }
        off = -1;
      }
      f(kp, p, off);
      for (size_t d = r; d-- > 0;) {
        if (++pidx[d] < g.out[d]) break;
        pidx[d] = 0;
      }
    }
    for (size_t d = r; d-- > 0;) {
      if (++kidx[d] < g.kernel[d]) break;
      kidx[d] = 0;
    }
  }
}

}  // namespace

std::vector<int64_t> window_taps(const WindowGeom& g) {
  int64_t pn = g.spatial_out();
  std::vector<int64_t> offs(size_t(g.kernel_size() * pn));
  for_each_tap(g, [&](int64_t kp, int64_t p, int64_t off) { offs[size_t(kp * pn + p)] = off; });
  return offs;
}

template <class T>
void im2col(const T* x, int64_t channels, const WindowGeom& g, T pad, T* col) {
  int64_t kn = g.kernel_size(), pn = g.spatial_out(), in_n = g.spatial_in();
  // The tap pattern is the same for every channel: compute it once.
  std::vector<int64_t> offs = window_taps(g);
  for (int64_t c = 0; c < channels; ++c) {
    const T* xc = x + c * in_n;
    T* cc = col + c * kn * pn;
    for (int64_t i = 0; i < kn * pn; ++i) {
      int64_t o = offs[size_t(i)];
      cc[i] = o < 0 ? pad : xc[o];
    }
  }
}

template <class T>
void col2im(const T* col, int64_t channels, const WindowGeom& g, T* y) {
  int64_t kn = g.kernel_size(), pn = g.spatial_out(), in_n = g.spatial_in();
  std::vector<int64_t> offs = window_taps(g);
  for (int64_t c = 0; c < channels; ++c) {
    T* yc = y + c * in_n;
    const T* cc = col + c * kn * pn;
    for (int64_t i = 0; i < kn * pn; ++i) {
      int64_t o = offs[size_t(i)];
      if (o >= 0) yc[o] += cc[i];
    }
  }
}

template void im2col<float>(const float*, int64_t, const WindowGeom&, float, float*);
template void im2col<double>(const double*, int64_t, const WindowGeom&, double, double*);
template void im2col<int32_t>(const int32_t*, int64_t, const WindowGeom&, int32_t, int32_t*);
template void col2im<float>(const float*, int64_t, const WindowGeom&, float*);
template void col2im<double>(const double*, int64_t, const WindowGeom&, double*);

}  // namespace rnpu::cpu
