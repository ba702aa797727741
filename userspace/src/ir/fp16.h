// IEEE 754 half precision <-> float for every part of librnpu and its tools:
// the FP16 library's conversions (Debian libfp16-dev), round to nearest even,
// infinities kept, NaN to the quiet NaN of the same sign.  One converter, so
// a float16 tensor reads the same on every backend and in the CLI.
#pragma once

#include <fp16.h>

#include <cstdint>

namespace rnpu::ir {

inline float half_to_float(uint16_t h) { return fp16_ieee_to_fp32_value(h); }
inline uint16_t float_to_half(float f) { return fp16_ieee_from_fp32_value(f); }

}  // namespace rnpu::ir
