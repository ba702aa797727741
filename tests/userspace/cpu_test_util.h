// Helpers for the CPU kernel tests: building tensors from literals and
// running one kernel by op name.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "backends/cpu/kernels/kernel.h"

namespace rnpu::cpu::test {

template <class T>
Tensor tensor(const Shape& shape, const std::vector<T>& v) {
  Tensor t = Tensor::make(dtype_of<T>(), shape);
  EXPECT_EQ(int64_t(v.size()), t.numel()) << "literal size vs shape " << shape_str(shape);
  for (size_t i = 0; i < v.size() && int64_t(i) < t.numel(); ++i) t.as<T>()[i] = v[i];
  return t;
}

template <class T>
std::vector<T> values(const Tensor& t) {
  return std::vector<T>(t.as<T>(), t.as<T>() + t.numel());
}

// Runs `op` on the inputs (nullptr = absent) and returns its outputs.
inline std::vector<Tensor> run(const std::string& op, const std::vector<const Tensor*>& inputs,
                               const Attrs& attrs = {}, size_t outputs = 1, int opset = 17) {
  std::vector<Tensor> outs(outputs);
  KernelContext ctx(attrs, inputs, &outs, opset);
  KernelRegistry::get().run(op, ctx);
  return outs;
}

inline Tensor run1(const std::string& op, const std::vector<const Tensor*>& inputs,
                   const Attrs& attrs = {}, int opset = 17) {
  return run(op, inputs, attrs, 1, opset)[0];
}

inline void expect_near(const std::vector<float>& got, const std::vector<float>& want,
                        float tol = 1e-5f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tol * (1 + std::abs(want[i]))) << "at " << i;
}

// Deterministic pseudo-random floats in [-1, 1).
inline std::vector<float> ramp(size_t n, uint32_t seed = 1) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 1;
  for (auto& x : v) {
    s = s * 1664525u + 1013904223u;
    x = float(s >> 8) / float(1 << 23) - 1.0f;
  }
  return v;
}

}  // namespace rnpu::cpu::test
