// IEEE 754 half precision <-> float for every part of librnpu and its tools:
// the FP16 library's conversions (Debian libfp16-dev), round to nearest even,
// infinities kept, NaN to the quiet NaN of the same sign.  One converter, so
// a float16 tensor reads the same on every backend and in the CLI.
//
// The tensor forms convert whole buffers with the CPU's own instructions
// (x86 F16C, arm64 FCVT) where present, and give bit-for-bit the results of
// the scalar forms (tests/userspace/fp16_test.cc checks every half and the
// float rounding boundaries).
#pragma once

#include <fp16.h>

#include <cstddef>
#include <cstdint>

namespace rnpu::ir {

inline float half_to_float(uint16_t h) {
  return fp16_ieee_to_fp32_value(h);
}
inline uint16_t float_to_half(float f) {
  return fp16_ieee_from_fp32_value(f);
}

void half_to_float(const uint16_t* src, float* dst, size_t n);
void float_to_half(const float* src, uint16_t* dst, size_t n);

// Whether the tensor forms use vector instructions on this CPU ("f16c",
// "neon") or the scalar loop ("scalar"); for reports and benchmarks.
const char* fp16_vector_isa();

}  // namespace rnpu::ir
