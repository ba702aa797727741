// Resize's attributes and output geometry: which axes are resized, by what
// scale, to what length (Resize-18's axes and keep_aspect_ratio_policy), and
// the roi each axis crops to.  Everything here comes from the model, so each
// value is checked before it sizes a loop or an allocation.
#include <algorithm>
#include <cmath>

#include "kernel.h"
#include "resize.h"

namespace rnpu::cpu {
namespace {

constexpr int64_t kMaxOut = int64_t(1) << 40;  // ir::kMaxElements

bool one_of(const std::string& s, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return s == n; });
}

// An integral output length from a computed one, which the caller's scales
// or sizes may have made negative, NaN or huge.
int64_t output_length(double v, const std::string& what) {
  if (!(v >= 0 && v <= double(kMaxOut))) fail("Resize " + what + " gives an invalid output length");
  return int64_t(v);
}

void check_output(const Shape& in, const Shape& out) {
  int64_t n = 1;
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] < 0 || __builtin_mul_overflow(n, out[d], &n) || n > kMaxOut)
      fail("Resize output " + shape_str(out) + " is invalid");
    if (in[d] == 0 && out[d] != 0)
      fail("Resize cannot sample the empty axis " + std::to_string(d) + " of " + shape_str(in));
  }
}

// p.axes normalised to [0, rank); every axis when the model lists none.
std::vector<size_t> resized_axes(const ResizeParams& p, size_t rank) {
  std::vector<size_t> ax;
  if (p.axes.empty()) {
    for (size_t d = 0; d < rank; ++d) ax.push_back(d);
    return ax;
  }
  int64_t r = int64_t(rank);
  std::vector<bool> seen(rank, false);
  for (int64_t a : p.axes) {
    if (a < -r || a >= r)
      fail("Resize axis " + std::to_string(a) + " is outside rank " + std::to_string(r));
    size_t d = size_t(a < 0 ? a + r : a);
    if (seen[d]) fail("Resize axis " + std::to_string(a) + " is listed twice");
    seen[d] = true;
    ax.push_back(d);
  }
  return ax;
}

// keep_aspect_ratio_policy not_larger / not_smaller: one scale for every
// resized axis, the smallest or largest of sizes / input.
double aspect_scale(const ResizeParams& p, const Shape& in, const std::vector<size_t>& ax,
                    const Shape& sizes) {
  double scale = 0;
  for (size_t i = 0; i < ax.size(); ++i) {
    if (in[ax[i]] == 0)
      fail("Resize keep_aspect_ratio_policy '" + p.aspect + "' cannot scale the empty axis " +
           std::to_string(ax[i]) + " of " + shape_str(in));
    if (sizes[i] < 0) fail("Resize sizes " + shape_str(sizes) + " has a negative entry");
    double s = double(sizes[i]) / double(in[ax[i]]);
    if (i == 0 || (p.aspect == "not_larger" ? s < scale : s > scale)) scale = s;
  }
  return scale;
}

}  // namespace

ResizeParams resize_params(const Attrs& a, int opset) {
  ResizeParams p;
  p.mode = a.get_string("mode", "nearest");
  if (!one_of(p.mode, {"nearest", "linear", "cubic"})) fail("unknown Resize mode '" + p.mode + "'");
  if (opset < 11) {
    p.coord = "asymmetric";
    p.nearest = "floor";
  } else {
    p.coord = a.get_string("coordinate_transformation_mode", "half_pixel");
    p.nearest = a.get_string("nearest_mode", "round_prefer_floor");
  }
  if (!one_of(p.coord, {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
                        "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"}))
    fail("unknown coordinate_transformation_mode '" + p.coord + "'");
  if (!one_of(p.nearest, {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}))
    fail("unknown nearest_mode '" + p.nearest + "'");
  p.cubic_a = a.get_float("cubic_coeff_a", -0.75f);
  p.exclude_outside = a.get_int("exclude_outside", 0) != 0;
  p.extrapolation = a.get_float("extrapolation_value", 0.0f);
  int64_t aa = a.get_int("antialias", 0);
  if (aa != 0 && aa != 1) fail("Resize antialias must be 0 or 1, not " + std::to_string(aa));
  // Nearest sampling has no filter to widen; ONNX defines antialias for
  // linear and cubic only.
  p.antialias = aa == 1 && p.mode != "nearest";
  p.axes = a.get_ints("axes");
  p.aspect = a.get_string("keep_aspect_ratio_policy", "stretch");
  if (!one_of(p.aspect, {"stretch", "not_larger", "not_smaller"}))
    fail("unknown keep_aspect_ratio_policy '" + p.aspect + "'");
  return p;
}

ResizeGeometry resize_geometry(const ResizeParams& p, const Shape& in,
                               const std::vector<double>& scales, const Shape& sizes,
                               const std::vector<double>& roi) {
  size_t r = in.size();
  std::vector<size_t> ax = resized_axes(p, r);
  ResizeGeometry g;
  g.out = in;
  g.scales.assign(r, 1.0);
  std::string per =
      p.axes.empty() ? "the input rank " + std::to_string(r) : std::to_string(ax.size()) + " axes";
  if (!sizes.empty()) {
    if (sizes.size() != ax.size())
      fail("Resize sizes has " + std::to_string(sizes.size()) + " entries for " + per);
    if (p.aspect == "stretch") {
      for (size_t i = 0; i < ax.size(); ++i) {
        g.out[ax[i]] = sizes[i];
        g.scales[ax[i]] = double(sizes[i]) / double(in[ax[i]]);
      }
    } else {
      double s = aspect_scale(p, in, ax, sizes);
      for (size_t d : ax) {
        // round_int in the ONNX definition: halves round up.
        g.out[d] = output_length(std::floor(s * double(in[d]) + 0.5), "sizes");
        g.scales[d] = s;
      }
    }
  } else {
    if (scales.size() != ax.size())
      fail("Resize scales has " + std::to_string(scales.size()) + " entries for " + per);
    for (size_t i = 0; i < ax.size(); ++i) {
      g.out[ax[i]] = output_length(std::floor(double(in[ax[i]]) * scales[i]),
                                   "scale " + std::to_string(scales[i]));
      g.scales[ax[i]] = scales[i];
    }
  }
  check_output(in, g.out);
  g.roi.assign(2 * r, 0.0);
  std::fill(g.roi.begin() + long(r), g.roi.end(), 1.0);
  // Only tf_crop_and_resize reads the roi; other modes may pass any.
  if (p.coord == "tf_crop_and_resize" && !roi.empty()) {
    if (roi.size() != 2 * ax.size())
      fail("Resize roi has " + std::to_string(roi.size()) +
           " entries, not a start and an end for " + per);
    for (size_t i = 0; i < ax.size(); ++i) {
      double s = roi[i], e = roi[ax.size() + i];
      if (!std::isfinite(s) || !std::isfinite(e)) fail("Resize roi is not finite");
      g.roi[ax[i]] = s;
      g.roi[r + ax[i]] = e;
    }
  }
  return g;
}

}  // namespace rnpu::cpu
