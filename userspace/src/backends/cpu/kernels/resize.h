// Resize parameters and coordinate mapping shared by the reference kernel
// and the fast path (which hands linear resizes to XNNPACK and gathers
// nearest ones in NHWC).
#pragma once

#include <string>
#include <vector>

#include "attrs.h"
#include "tensor.h"

namespace rnpu::cpu {

struct ResizeParams {
  std::string mode = "nearest", coord = "half_pixel", nearest = "round_prefer_floor";
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation = 0;
  // Resize-18: a filter widened by 1/scale when downsampling (linear, cubic).
  bool antialias = false;
  // Resize-18: the axes roi, scales and sizes refer to, as the model gave
  // them; empty means every axis.
  std::vector<int64_t> axes;
  // Resize-18: "stretch", "not_larger" or "not_smaller" (sizes only).
  std::string aspect = "stretch";
};

// Resize's attributes for `opset` (opset 10 is asymmetric with floor).
// Throws on a mode, policy or flag Resize does not define.
ResizeParams resize_params(const Attrs& a, int opset);

// Where a resize samples, per axis of the input.
struct ResizeGeometry {
  Shape out;
  std::vector<double> scales;  // the scale each axis's coordinate formula uses
  std::vector<double> roi;     // starts then ends, 2 * rank entries
};

// The geometry from either scales or sizes (one of them non-empty) and the
// optional roi, each with one entry per resized axis (per p.axes); throws on
// a bad axis, length or value.
ResizeGeometry resize_geometry(const ResizeParams& p, const Shape& in,
                               const std::vector<double>& scales, const Shape& sizes,
                               const std::vector<double>& roi);

// Nearest-mode source index for every output coordinate of one axis.
std::vector<int64_t> nearest_indices(const ResizeParams& p, int64_t in, int64_t out, double scale);

}  // namespace rnpu::cpu
