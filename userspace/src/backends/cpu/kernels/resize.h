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
};

// Resize's attributes for `opset` (opset 10 is asymmetric with floor).
ResizeParams resize_params(const Attrs& a, int opset);

// Output shape and per-axis scales from either scales or sizes (one of them
// non-empty); throws on a length mismatch.
void resize_output(const Shape& in, const std::vector<double>& scales, const Shape& sizes,
                   Shape* out, std::vector<double>* eff_scales);

// Nearest-mode source index for every output coordinate of one axis.
std::vector<int64_t> nearest_indices(const ResizeParams& p, int64_t in, int64_t out, double scale);

}  // namespace rnpu::cpu
