// Conversions between float and the 8-bit floats and 4-bit integers of
// ONNX opsets 19 and 21 (onnx/docs/technical/float8.md, int4.md).
#pragma once

#include <cstdint>

#include "dtype.h"

namespace rnpu::cpu {

// `t` is one of the float8 types.  NaN and infinities map as the ONNX Cast
// table says; rounding is to nearest even.  With `saturate`, values beyond
// the largest finite number (infinities included) become it; without, they
// become infinity (float8e5m2) or NaN (the types without infinities).
float float8_to_float(uint8_t bits, DType t);
uint8_t float_to_float8(float f, DType t, bool saturate);
bool float8_is_nan(uint8_t bits, DType t);

// int4/uint4 as stored in memory (sign-extended int8, uint8): clip to the
// type's range, then round to nearest even, as ONNX's Cast to int4 does;
// NaN becomes 0.
int8_t float_to_int4(float f);
uint8_t float_to_uint4(float f);

}  // namespace rnpu::cpu
