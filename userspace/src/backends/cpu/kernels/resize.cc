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

constexpr double kMaxCoord = double(int64_t(1) << 52);

struct AxisTaps {
  std::vector<std::vector<Tap>> taps;  // per output coordinate
  std::vector<bool> outside;           // tf_crop_and_resize extrapolation
};

// `out` is in * scale, not rounded: with explicit scales ONNX uses the
// unrounded output length in the align_corners and crop formulas, and
// half_pixel_symmetric centres the rounded length `out_len` within it.
double source_coord(const ResizeParams& p, int64_t x, int64_t in, int64_t out_len, double out,
                    double scale, double roi_start, double roi_end, bool* outside) {
  double xf = double(x);
  if (p.coord == "half_pixel") return (xf + 0.5) / scale - 0.5;
  if (p.coord == "pytorch_half_pixel") return out > 1 ? (xf + 0.5) / scale - 0.5 : -0.5;
  if (p.coord == "align_corners") return out == 1 ? 0.0 : xf * double(in - 1) / (out - 1);
  if (p.coord == "asymmetric") return xf / scale;
  if (p.coord == "tf_half_pixel_for_nn") return (xf + 0.5) / scale;
  if (p.coord == "half_pixel_symmetric") {
    double adj = double(out_len) / out;
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

// The cubic convolution kernel (Keys) at distance x.
double cubic_kernel(double x, double a) {
  x = std::abs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

// Resize-18 antialias: the linear (support 1) or cubic (support 2) kernel
// stretched by 1/scale when downsampling, its samples normalised to sum to
// one.  ONNX places the window with the fraction r in (0, 1], so an exact
// source coordinate is the right end of the cell before it.
void antialias_taps(const ResizeParams& p, double s, double scale, int64_t in,
                    std::vector<Tap>* t) {
  double f = std::min(scale, 1.0), support = p.mode == "cubic" ? 2 : 1;
  // An output coordinate exists only when scale >= 0.5 / in, so the window
  // spans a few input lengths at most; anything wider is a broken scale.
  if (!(support / f <= 4.0 * double(in) + 8))
    fail("Resize antialias filter for scale " + std::to_string(scale) + " is wider than the input");
  double fl = std::floor(s);
  int64_t base = int64_t(fl) - (fl == s ? 1 : 0);
  double r = s - double(base);
  int64_t start = int64_t(std::floor(-support / f)) + 1, end = 2 - start;
  double sum = 0;
  for (int64_t i = start; i < end; ++i) {
    double x = f * (double(i) - r);
    double w = p.mode == "cubic" ? cubic_kernel(x, p.cubic_a) : std::max(0.0, 1 - std::abs(x));
    t->push_back({base + i, w});
    sum += w;
  }
  if (sum != 0)
    for (Tap& tp : *t) tp.w /= sum;
}

AxisTaps axis_taps(const ResizeParams& p, int64_t in, int64_t out, double scale, double rs,
                   double re) {
  AxisTaps at;
  at.taps.resize(static_cast<size_t>(out));
  at.outside.assign(static_cast<size_t>(out), false);
  for (int64_t x = 0; x < out; ++x) {
    bool outside = false;
    double s = source_coord(p, x, in, out, double(in) * scale, scale, rs, re, &outside);
    at.outside[size_t(x)] = outside;
    std::vector<Tap>& t = at.taps[size_t(x)];
    if (outside) {  // reads extrapolation_value, no sample
      t.push_back({0, 0.0});
      continue;
    }
    auto clampi = [&](int64_t i) { return std::clamp<int64_t>(i, 0, in - 1); };
    // The geometry bounds scales and roi, so this only guards the casts below.
    if (!(std::abs(s) <= kMaxCoord))
      fail("Resize source coordinate " + std::to_string(s) + " is invalid");
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
    } else if (p.antialias) {
      antialias_taps(p, s, scale, in, &t);
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
      // Taps past an edge read the edge sample: fold them into it, so a wide
      // antialias window does not multiply the work at the borders.
      std::vector<Tap> merged;
      for (Tap tp : t) {
        tp.idx = clampi(tp.idx);
        if (tp.w == 0) continue;
        if (!merged.empty() && merged.back().idx == tp.idx)
          merged.back().w += tp.w;
        else
          merged.push_back(tp);
      }
      if (merged.empty()) merged.push_back({clampi(base), 0.0});
      t = std::move(merged);
    }
  }
  return at;
}

void resize(KernelContext& c, const Tensor& x, const ResizeParams& p, const ResizeGeometry& g) {
  size_t r = x.rank();
  const Shape& out = g.out;
  std::vector<AxisTaps> axes(r);
  for (size_t d = 0; d < r; ++d)
    axes[d] = axis_taps(p, x.shape[d], out[d], g.scales[d], g.roi[d], g.roi[d + r]);
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
  ResizeParams p = resize_params(c.attrs(), c.opset());
  std::vector<double> roi, scales;
  Shape sizes;
  if (c.opset() < 11) {
    scales = tensor_to_doubles(c.in(1));
  } else {
    if (const Tensor* t = c.opt(1)) roi = tensor_to_doubles(*t);
    if (const Tensor* t = c.opt(2)) scales = tensor_to_doubles(*t);
    if (const Tensor* t = c.opt(3)) sizes = tensor_to_ints(*t);
    if (!scales.empty() && !sizes.empty()) fail("Resize takes scales or sizes, not both");
  }
  ResizeGeometry g = resize_geometry(p, x.shape, scales, sizes, roi);
  resize(c, x, p, g);
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
  resize(c, x, p, resize_geometry(p, x.shape, scales, {}, {}));
}

}  // namespace

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
