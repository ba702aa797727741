// Element types of the IR: the public rnpu::DataType, plus helpers.
#pragma once

#include <cstddef>

#include "rnpu/rnpu.hpp"

namespace rnpu::ir {

using DType = rnpu::DataType;

inline size_t dtype_size(DType t) {
  return data_type_size(t);
}
inline const char* dtype_name(DType t) {
  return data_type_name(t);
}
bool dtype_is_float(DType t);  // f16, bf16, f32, f64
bool dtype_is_int(DType t);    // signed or unsigned integer (not int4/uint4)
// The types of ONNX opsets 19 and 21 that no arithmetic kernel computes in:
// only Cast, (De)QuantizeLinear and data movement take them.
bool dtype_is_float8(DType t);
bool dtype_is_int4(DType t);      // int4, uint4
bool dtype_valid(int onnx_type);  // an ONNX type number the IR can hold

}  // namespace rnpu::ir
