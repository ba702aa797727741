// Which ONNX ops read quantised integers with their scale and zero point
// themselves, and which element types a folded QDQ value may be stored in.
// One definition for the QDQ folding pass and every backend: an op outside
// the list that receives a value carrying `quant` would compute on the raw
// integers, so backends expand or refuse it.
#pragma once

#include <string>

#include "ir/dtype.h"

namespace rnpu::ir {

// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, QLinearConv,
// QLinearMatMul, ConvInteger, MatMulInteger.
bool quant_aware_op(const std::string& op);

// int8, uint8 (activations and weights) and int32 (biases).
inline bool quant_storage_type(DType t) {
  return t == DType::kInt8 || t == DType::kUInt8 || t == DType::kInt32;
}

}  // namespace rnpu::ir
