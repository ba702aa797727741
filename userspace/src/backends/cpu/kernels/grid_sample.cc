// GridSample over any number of spatial axes (opset 20; opset 16 had only
// 2-D).  X is [N, C, D1..Dr], the grid [N, O1..Or, r] with coordinates in
// reverse axis order (x first, so grid component 0 indexes Dr).  Each output
// is a separable interpolation: per axis 1 (nearest), 2 (linear) or 4
// (cubic) taps, and the product of their weights over all axes.
#include <algorithm>
#include <cmath>
#include <string>

#include "kernel.h"

namespace rnpu::cpu {
namespace {

enum class Mode { kNearest, kLinear, kCubic };
enum class Padding { kZeros, kBorder, kReflection };

// Reflects x into [lo, hi] (reflection padding).  Coordinates come from the
// caller: any double, so the flip count stays a double (its parity via
// fmod) and non-finite values land on lo.
double reflect(double x, double lo, double hi) {
  double range = hi - lo;
  if (range <= 0 || !std::isfinite(x)) return lo;
  if (x < lo) {
    double d = lo - x;
    double flips = std::floor(d / range);
    double r = d - flips * range;
    return std::fmod(flips, 2.0) == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    double d = x - hi;
    double flips = std::floor(d / range);
    double r = d - flips * range;
    return std::fmod(flips, 2.0) == 0 ? hi - r : lo + r;
  }
  return x;
}

void cubic_coeffs(double t, double* cf) {
  const double A = -0.75;  // Keys' kernel, as PyTorch and ONNX use
  double t1 = t + 1, t2 = 1 - t, t3 = 2 - t;
  cf[0] = ((A * t1 - 5 * A) * t1 + 8 * A) * t1 - 4 * A;
  cf[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
  cf[2] = ((A + 2) * t2 - (A + 3)) * t2 * t2 + 1;
  cf[3] = ((A * t3 - 5 * A) * t3 + 8 * A) * t3 - 4 * A;
}

struct Options {
  Mode mode;
  Padding pad;
  bool align;
};

Options options(const Attrs& a) {
  Options o;
  std::string mode = a.get_string("mode", "bilinear");
  std::string pad = a.get_string("padding_mode", "zeros");
  o.align = a.get_int("align_corners", 0) != 0;
  // Opset 20 renamed bilinear and bicubic; both spellings mean the same.
  if (mode == "linear" || mode == "bilinear")
    o.mode = Mode::kLinear;
  else if (mode == "cubic" || mode == "bicubic")
    o.mode = Mode::kCubic;
  else if (mode == "nearest")
    o.mode = Mode::kNearest;
  else
    fail("GridSample mode '" + mode + "' is not one of linear, nearest, cubic");
  if (pad == "zeros")
    o.pad = Padding::kZeros;
  else if (pad == "border")
    o.pad = Padding::kBorder;
  else if (pad == "reflection")
    o.pad = Padding::kReflection;
  else
    fail("GridSample padding_mode '" + pad + "' is not one of zeros, border, reflection");
  return o;
}

// The taps of one axis: input indices (-1: reads zero) and weights.
struct AxisTaps {
  int64_t index[4];
  double weight[4];
  int count;
};

AxisTaps axis_taps(double g, int64_t len, const Options& o) {
  double v = o.align ? (g + 1) / 2 * double(len - 1) : ((g + 1) * double(len) - 1) / 2;
  if (o.pad == Padding::kBorder) {
    v = std::clamp(v, 0.0, double(len - 1));
  } else if (o.pad == Padding::kReflection) {
    // Reflect at the borders, then clip (half-pixel borders may still land
    // half a pixel outside).
    double r = o.align ? reflect(v, 0, double(len - 1)) : reflect(v, -0.5, double(len) - 0.5);
    v = std::clamp(r, 0.0, double(len - 1));
  }
  // Beyond [-4, len + 3] every tap of every mode is outside, so clamping
  // there changes nothing; NaN samples as outside too, and the integer
  // conversions below stay defined.
  v = std::isnan(v) ? -4.0 : std::clamp(v, -4.0, double(len) + 3.0);
  AxisTaps t{};
  int64_t first = 0;
  if (o.mode == Mode::kNearest) {
    t.count = 1;
    first = int64_t(std::nearbyint(v));
    t.weight[0] = 1;
  } else if (o.mode == Mode::kLinear) {
    t.count = 2;
    first = int64_t(std::floor(v));
    double f = v - double(first);
    t.weight[0] = 1 - f;
    t.weight[1] = f;
  } else {
    t.count = 4;
    first = int64_t(std::floor(v)) - 1;
    cubic_coeffs(v - std::floor(v), t.weight);
  }
  for (int k = 0; k < t.count; ++k) {
    int64_t i = first + k;
    if (o.pad == Padding::kZeros)
      i = i >= 0 && i < len ? i : -1;
    else if (o.pad == Padding::kBorder)
      i = std::clamp<int64_t>(i, 0, len - 1);
    else
      i = int64_t(reflect(double(i), 0, double(len - 1)));
    t.index[k] = i;
  }
  return t;
}

void k_grid_sample(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& grid = c.in(1);
  int64_t r = int64_t(x.rank()) - 2;
  if (r < 1 || grid.rank() != x.rank() || grid.shape.back() != r)
    fail("GridSample needs X [N, C, D1..Dr] and grid [N, O1..Or, r], got X " + shape_str(x.shape) +
         " and grid " + shape_str(grid.shape));
  if (c.opset() < 20 && r != 2)
    fail("GridSample before opset 20 samples 2-D images only, got X " + shape_str(x.shape));
  Options o = options(c.attrs());
  if (o.mode == Mode::kCubic && r > 3)
    fail("GridSample cubic mode supports at most 3 spatial axes, got " + std::to_string(r));
  int64_t n = x.shape[0], ch = x.shape[1];
  if (grid.shape[0] != n)
    fail("GridSample grid " + shape_str(grid.shape) + " has a different batch than X " +
         shape_str(x.shape));
  Shape in(x.shape.begin() + 2, x.shape.end());
  Shape out = {n, ch};
  out.insert(out.end(), grid.shape.begin() + 1, grid.shape.end() - 1);
  int64_t points = shape_numel(out) / std::max<int64_t>(n * ch, 1);
  if (shape_numel(in) == 0 && shape_numel(out) != 0)
    fail("GridSample samples an empty image " + shape_str(x.shape));
  Tensor& y = c.out(0, x.dtype, out);
  if (y.numel() == 0) return;
  std::vector<double> xv = tensor_to_doubles(x), gv = tensor_to_doubles(grid);
  std::vector<int64_t> strides = shape_strides(in);
  int64_t plane = shape_numel(in);
  std::vector<AxisTaps> taps(static_cast<size_t>(r));
  std::vector<int> tap(static_cast<size_t>(r));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t p = 0; p < points; ++p) {
      const double* g = gv.data() + (b * points + p) * r;
      for (int64_t d = 0; d < r; ++d) taps[size_t(d)] = axis_taps(g[r - 1 - d], in[size_t(d)], o);
      for (int64_t k = 0; k < ch; ++k) {
        const double* img = xv.data() + (b * ch + k) * plane;
        double acc = 0;
        std::fill(tap.begin(), tap.end(), 0);
        for (;;) {
          double w = 1;
          int64_t off = 0;
          for (int64_t d = 0; d < r && w != 0; ++d) {
            const AxisTaps& t = taps[size_t(d)];
            int64_t i = t.index[tap[size_t(d)]];
            if (i < 0) w = 0;
            w *= t.weight[tap[size_t(d)]];
            off += i * strides[size_t(d)];
          }
          if (w != 0) acc += w * img[off];
          int64_t d = r - 1;
          for (; d >= 0; --d) {
            if (++tap[size_t(d)] < taps[size_t(d)].count) break;
            tap[size_t(d)] = 0;
          }
          if (d < 0) break;
        }
        int64_t oi = (b * ch + k) * points + p;
        if (y.dtype == DType::kF64)
          y.as<double>()[oi] = acc;
        else
          y.as<float>()[oi] = float(acc);
      }
    }
}

}  // namespace

void register_grid_sample(KernelRegistry& r) {
  r.add({"GridSample", k_grid_sample, kFloatTypes | kHalfTypes});
}

}  // namespace rnpu::cpu
