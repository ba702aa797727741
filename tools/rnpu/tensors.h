// Tensor helpers for the CLI: element conversion, random inputs and the
// one-line value summaries `rnpu run` prints.
#pragma once

#include <fp16.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "npy.h"
#include "rnpu/rnpu.hpp"

namespace rnpu::cli {

// The FP16 library's conversions (Debian libfp16-dev), the converter
// librnpu uses too (its ir/fp16.h), so a float16 tensor reads the same here
// as on every backend.
inline float half_to_float(uint16_t h) {
  return fp16_ieee_to_fp32_value(h);
}
inline uint16_t float_to_half(float f) {
  return fp16_ieee_from_fp32_value(f);
}
float bfloat16_to_float(uint16_t b);

// Element i of a dense tensor of type t, as a double (bool -> 0/1).
double element_as_double(DataType t, const void* data, size_t i);

std::string shape_str(const std::vector<int64_t>& shape);  // "[1,3,224,224]"
std::string format_bytes(uint64_t bytes);                  // "5.7 MiB"

// Random contents for an input: floats uniform in [-1, 1), int8/uint8 over
// their whole range, wider integers in [0, 10) (safe as indices and
// counts of small models), bool 0/1.  Deterministic for a given engine state.
NpyArray random_tensor(DataType t, const std::vector<int64_t>& shape, std::mt19937_64& rng);

struct Summary {
  size_t count = 0, nan = 0, inf = 0;
  double min = 0, max = 0, mean = 0;
  std::vector<double> head;  // first few elements
};
Summary summarize(DataType t, const void* data, size_t count, size_t head = 6);
// "float32 [1,1000]  min -3.2 max 4.5 mean 0.012  [0.1, -0.2, ...]"
std::string describe(const TensorView& v);

}  // namespace rnpu::cli
