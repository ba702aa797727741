// Element types of the IR: the public rnpu::DataType, plus helpers.
#pragma once

#include <cstddef>

#include "rnpu/types.hpp"

namespace rnpu::ir {

using DType = rnpu::DataType;

// Bytes per element (0 for undefined and string) and the type's name; the
// public rnpu::data_type_size / data_type_name (rnpu_dtype_size / _name).
size_t dtype_size(DType t);
const char* dtype_name(DType t);
bool dtype_is_float(DType t);  // f16, bf16, f32, f64
bool dtype_is_int(DType t);    // signed or unsigned integer (not int4/uint4)
// The types of ONNX opsets 19 and 21 that no arithmetic kernel computes in:
// only Cast, (De)QuantizeLinear and data movement take them.
bool dtype_is_float8(DType t);
bool dtype_is_int4(DType t);      // int4, uint4
bool dtype_valid(int onnx_type);  // an ONNX type number the IR can hold

}  // namespace rnpu::ir
