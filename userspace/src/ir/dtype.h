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
bool dtype_is_float(DType t);     // f16, bf16, f32, f64
bool dtype_is_int(DType t);       // signed or unsigned integer
bool dtype_valid(int onnx_type);  // an ONNX type number the IR can hold

}  // namespace rnpu::ir
