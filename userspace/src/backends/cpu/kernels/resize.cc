// Resize (nearest, N-linear, cubic; every coordinate transformation mode)
// and its predecessor Upsample.  Separable: each axis contributes a small
// list of (index, weight) taps per output coordinate.
#include "resize.h"

#include <algorithm>
#include <cmath>

#include "kernel.h"

namespace rnpu::cpu {
namespace {

struct Tap {
  int64_t idx;
  double w;
};

constexpr int64_t kMaxOut = int64_t(1) << 40;  // ir::kMaxElements

// floor(in * scale) as an output length, for scales from the caller.
int64_t scaled_length(int64_t in, double scale) {
  double v = std::floor(double(in) * scale);
  if (!(v >= 0 && v <= double(kMaxOut)))
    fail("Resize scale " + std::to_string(scale) + " gives an invalid output length");
  return int64_t(v);
}

// Output shapes come from the caller's sizes or scales: bounded, and an
// empty axis cannot be sampled.
void check_output(const Shape& in, const Shape& out) {
  int64_t n = 1;
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] < 0 || __builtin_mul_overflow(n, out[d], &n) || n > kMaxOut)
      fail("Resize output " + shape_str(out) + " is invalid");
    if (in[d] == 0 && out[d] != 0)
      fail("Resize cannot sample the empty axis " + std::to_string(d) + " of " + shape_str(in));
  }
}

struct AxisTaps {
  std::vector<std::vector<Tap>> taps;  // per output coordinate
  std::vector<bool> outside;           // tf_crop_and_resize extrapolation
};

// `out` is in * scale, not rounded: with explicit scales ONNX uses the
// unrounded output length in the align_corners and crop formulas.
double source_coord(const ResizeParams& p, int64_t x, int64_t in, double out, double scale,
                    double roi_start, double roi_end, bool* outside) {
  double xf = double(x);
  if (p.coord == "half_pixel") return (xf + 0.5) / scale - 0.5;
  if (p.coord == "pytorch_half_pixel") return out > 1 ? (xf + 0.5) / scale - 0.5 : -0.5;
  if (p.coord == "align_corners") return out == 1 ? 0.0 : xf * double(in - 1) / (out - 1);
  if (p.coord == "asymmetric") return xf / scale;
  if (p.coord == "tf_half_pixel_for_nn") return (xf + 0.5) / scale;
  if (p.coord == "half_pixel_symmetric") {
    double adj = double(out) / (scale * double(in));
    double center = double(in) / 2.0 * (1 - adj);
    return center + (xf + 0.5) / scale - 0.5;
  }
  if (p.coord == "tf_crop_and_resize") {
    double v = out > 1 ? roi_start * double(in - 1) +
                             xf * (roi_end - roi_start) * double(in - 1) / (out - 1)
                       : 0.5 * (roi_start + roi_end) * double(in - 1);
    *outside = v < 0 || v > double(in - 1);
    return v;
  }
  fail("unknown coordinate_transformation_mode '" + p.coord + "'");
}

std::vector<double> cubic_coeffs(double r, double a) {
  return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
          ((a + 2) * r - (a + 3)) * r * r + 1,
          ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1,
          ((a * ((1 - r) + 1) - 5 * a) * ((1 - r) + 1) + 8 * a) * ((1 - r) + 1) - 4 * a};
}

AxisTaps axis_taps(const ResizeParams& p, int64_t in, int64_t out, double scale, double rs,
                   double re) {
  AxisTaps at;
  at.taps.resize(static_cast<size_t>(out));
  at.outside.assign(static_cast<size_t>(out), false);
  for (int64_t x = 0; x < out; ++x) {
    bool outside = false;
    double s = source_coord(p, x, in, double(in) * scale, scale, rs, re, &outside);
    at.outside[size_t(x)] = outside;
    auto clampi = [&](int64_t i) { return std::clamp<int64_t>(i, 0, in - 1); };
    std::vector<Tap>& t = at.taps[size_t(x)];
    int64_t base = int64_t(std::floor(s));
    double r = s - double(base);
    if (p.mode == "nearest") {
      bool up;
      if (r == 0)
        up = false;
      else if (p.nearest == "round_prefer_floor")
        up = r > 0.5;
      else if (p.nearest == "round_prefer_ceil")
        up = r >= 0.5;
      else if (p.nearest == "floor")
        up = false;
      else if (p.nearest == "ceil")
        up = true;
      else
        fail("unknown nearest_mode '" + p.nearest + "'");
      t.push_back({clampi(base + (up ? 1 : 0)), 1.0});
    } else if (p.mode == "linear") {
      t.push_back({base, 1 - r});
      t.push_back({base + 1, r});
    } else if (p.mode == "cubic") {
      std::vector<double> c = cubic_coeffs(r, p.cubic_a);
      for (int k = 0; k < 4; ++k) t.push_back({base - 1 + k, c[size_t(k)]});
    } else {
      fail("unknown Resize mode '" + p.mode + "'");
    }
    if (p.mode != "nearest") {
      if (p.exclude_outside) {
        double sum = 0;
        for (Tap& tp : t) {
          if (tp.idx < 0 || tp.idx >= in) tp.w = 0;
          sum += tp.w;
        }
        if (sum != 0)
          for (Tap& tp : t) tp.w /= sum;
      }
      for (Tap& tp : t) tp.idx = clampi(tp.idx);
      t.erase(std::remove_if(t.begin(), t.end(), [](const Tap& tp) { return tp.w == 0; }), t.end());
      if (t.empty()) t.push_back({clampi(base), 0.0});
    }
  }
  return at;
}

void resize(KernelContext& c, const Tensor& x, const ResizeParams& p, const Shape& out,
            const std::vector<double>& scales, const std::vector<double>& roi) {
  size_t r = x.rank();
  std::vector<AxisTaps> axes(r);
  for (size_t d = 0; d < r; ++d) {
    double rs = roi.size() == 2 * r ? roi[d] : 0, re = roi.size() == 2 * r ? roi[d + r] : 1;
    axes[d] = axis_taps(p, x.shape[d], out[d], scales[d], rs, re);
  }
  std::vector<int64_t> st = shape_strides(x.shape);
  bool ok = dispatch<kFloatTypes | kSignedTypes | kUnsignedTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, x.dtype, out);
    int64_t total = y.numel();
    if (total == 0) return;
    std::vector<int64_t> idx(r, 0);
    std::vector<size_t> tap(r, 0);
    for (int64_t o = 0; o < total; ++o) {
      bool outside = false;
      for (size_t d = 0; d < r; ++d) outside |= axes[d].outside[size_t(idx[d])];
      double acc = 0;
      if (outside) {
        acc = p.extrapolation;
      } else {
        // Sum over the cartesian product of the per-axis taps.
        std::fill(tap.begin(), tap.end(), 0);
        for (;;) {
          double w = 1;
          int64_t off = 0;
          for (size_t d = 0; d < r; ++d) {
            const Tap& t = axes[d].taps[size_t(idx[d])][tap[d]];
            w *= t.w;
            off += t.idx * st[d];
          }
          acc += w * double(x.as<T>()[off]);
          size_t d = r;
          while (d-- > 0) {
            if (++tap[d] < axes[d].taps[size_t(idx[d])].size()) break;
            tap[d] = 0;
          }
          if (d == size_t(-1)) break;
        }
      }
      if constexpr (std::is_integral_v<T>)
        y.as<T>()[o] = T(std::clamp(std::nearbyint(acc), double(std::numeric_limits<T>::lowest()),
                                    double(std::numeric_limits<T>::max())));
      else
        y.as<T>()[o] = T(acc);
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < out[d]) break;
        idx[d] = 0;
      }
    }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

void k_resize(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Attrs& a = c.attrs();
  ResizeParams p = resize_params(a, c.opset());
  if (a.get_int("antialias", 0) != 0) fail("Resize antialias is not supported");
  if (a.has("axes")) fail("Resize axes attribute is not supported");
  std::vector<double> roi, scales;
  Shape sizes;
  if (c.opset() < 11) {
    scales = tensor_to_doubles(c.in(1));
  } else {
    if (const Tensor* t = c.opt(1)) roi = tensor_to_doubles(*t);
    if (const Tensor* t = c.opt(2)) scales = tensor_to_doubles(*t);
    if (const Tensor* t = c.opt(3)) sizes = tensor_to_ints(*t);
  }
  Shape out;
  resize_output(x.shape, scales, sizes, &out, &scales);
  resize(c, x, p, out, scales, roi);
}

void k_upsample(KernelContext& c) {
  const Tensor& x = c.in(0);
  ResizeParams p;
  p.mode = c.attrs().get_string("mode", "nearest");
  p.coord = "asymmetric";
  p.nearest = "floor";
  std::vector<double> scales;
  if (c.attrs().has("scales")) {
    for (float f : c.attrs().get_floats("scales")) scales.push_back(f);
  } else {
    scales = tensor_to_doubles(c.in(1));
  }
  if (scales.size() != x.rank()) fail("Upsample scales length differs from input rank");
  Shape out(x.rank());
  for (size_t d = 0; d < x.rank(); ++d) out[d] = scaled_length(x.shape[d], scales[d]);
  check_output(x.shape, out);
  resize(c, x, p, out, scales, {});
}

}  // namespace

ResizeParams resize_params(const Attrs& a, int opset) {
  ResizeParams p;
  p.mode = a.get_string("mode", "nearest");
  if (opset < 11) {
    p.coord = "asymmetric";
    p.nearest = "floor";
  } else {
    p.coord = a.get_string("coordinate_transformation_mode", "half_pixel");
    p.nearest = a.get_string("nearest_mode", "round_prefer_floor");
  }
  p.cubic_a = a.get_float("cubic_coeff_a", -0.75f);
  p.exclude_outside = a.get_int("exclude_outside", 0) != 0;
  p.extrapolation = a.get_float("extrapolation_value", 0.0f);
  return p;
}

void resize_output(const Shape& in, const std::vector<double>& scales, const Shape& sizes,
                   Shape* out, std::vector<double>* eff_scales) {
  size_t r = in.size();
  out->assign(r, 0);
  if (!sizes.empty()) {
    if (sizes.size() != r) fail("Resize sizes length differs from input rank");
    *out = sizes;
    eff_scales->resize(r);
    for (size_t d = 0; d < r; ++d) (*eff_scales)[d] = double((*out)[d]) / double(in[d]);
  } else {
    if (scales.size() != r) fail("Resize needs scales or sizes for every axis");
    for (size_t d = 0; d < r; ++d) (*out)[d] = scaled_length(in[d], scales[d]);
    *eff_scales = scales;
  }
  check_output(in, *out);
}

std::vector<int64_t> nearest_indices(const ResizeParams& p, int64_t in, int64_t out, double scale) {
  AxisTaps t = axis_taps(p, in, out, scale, 0, 1);
  std::vector<int64_t> r;
  for (const auto& taps : t.taps) r.push_back(taps.at(0).idx);
  return r;
}

void register_resize(KernelRegistry& r) {
  const unsigned t = kFloatTypes | kSignedTypes | kUnsignedTypes | kHalfTypes;
  r.add({"Resize", k_resize, t});
  r.add({"Upsample", k_upsample, t});
}

}  // namespace rnpu::cpu
