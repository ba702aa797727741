// Running float kernels on quantised tensors.  A node the QDQ pass folded
// (DequantizeLinear -> op -> QuantizeLinear) carries int8/uint8/int32
// values with scales and zero points; its reference semantics are exactly
// "dequantise the inputs, run the float op, quantise the outputs".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernel.h"

namespace rnpu::cpu {

struct QuantSpec {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
  int axis = 1;  // for per-channel parameters
};

// q (int8/uint8/int32) -> float32 with `s` (per tensor or per channel).
Tensor dequantize_tensor(const Tensor& q, const QuantSpec& s);
// float32 f -> q's element type, round-half-to-even and saturating.
void quantize_tensor(const Tensor& f, const QuantSpec& s, Tensor& q);

// Runs `op` with inputs dequantised where in_q[i] is set and float outputs
// quantised into out_types[i] where out_q[i] is set.
void run_quantized(const std::string& op, KernelContext& ctx,
                   const std::vector<std::optional<QuantSpec>>& in_q,
                   const std::vector<std::optional<QuantSpec>>& out_q,
                   const std::vector<DType>& out_types);

}  // namespace rnpu::cpu
