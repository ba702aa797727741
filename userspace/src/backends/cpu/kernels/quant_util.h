// Helpers shared by the quantized kernels (ONNX linear quantization:
// real = (q - zero_point) * scale, q = saturate(round_half_even(real/scale) + zp)).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "kernel.h"

namespace rnpu::cpu {

// Elements of an int8/uint8 tensor as int32 minus its zero point; zp may be
// null (0), a scalar, or one value per slice along axis 0 (`slices` of them).
std::vector<int32_t> widen_minus_zp(const Tensor& t, const Tensor* zp, int64_t slices);

// Stores round_half_even(v) + zp into element i of an int4/uint4/int8/uint8/
// int16/uint16/int32 tensor, saturating.
void store_quantized(Tensor& y, int64_t i, float v, int32_t zp);

inline float round_half_even(float v) {
  return std::nearbyint(v);
}

}  // namespace rnpu::cpu
