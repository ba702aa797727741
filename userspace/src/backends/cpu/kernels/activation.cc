#include "activation.h"

#include <algorithm>
#include <cmath>

#include "kernel.h"

namespace rnpu::cpu {

bool known_activation(const std::string& n) {
  return n == "Relu" || n == "LeakyRelu" || n == "Clip" || n == "Sigmoid" || n == "Tanh" ||
         n == "HardSigmoid" || n == "HardSwish" || n == "Gelu";
}

namespace {
template <class T>
void apply(T* p, int64_t n, const std::string& name, T alpha, T beta) {
  if (name == "Relu") {
    for (int64_t i = 0; i < n; ++i) p[i] = std::max(p[i], T(0));
  } else if (name == "LeakyRelu") {
    for (int64_t i = 0; i < n; ++i) p[i] = p[i] >= 0 ? p[i] : alpha * p[i];
  } else if (name == "Clip") {
    for (int64_t i = 0; i < n; ++i) p[i] = std::min(std::max(p[i], alpha), beta);
  } else if (name == "Sigmoid") {
    for (int64_t i = 0; i < n; ++i) p[i] = T(1) / (T(1) + std::exp(-p[i]));
  } else if (name == "Tanh") {
    for (int64_t i = 0; i < n; ++i) p[i] = std::tanh(p[i]);
  } else if (name == "HardSigmoid") {
    for (int64_t i = 0; i < n; ++i) p[i] = std::clamp(alpha * p[i] + beta, T(0), T(1));
  } else if (name == "HardSwish") {
    for (int64_t i = 0; i < n; ++i) p[i] = p[i] * std::clamp(p[i] / T(6) + T(0.5), T(0), T(1));
  } else if (name == "Gelu") {
    for (int64_t i = 0; i < n; ++i)
      p[i] = T(0.5) * p[i] * (T(1) + std::erf(p[i] * T(0.7071067811865476)));
  } else {
    fail("unknown fused activation '" + name + "'");
  }
}
}  // namespace

void apply_activation(Tensor& t, const std::string& name, float alpha, float beta) {
  if (t.dtype == DType::kF32)
    apply<float>(t.as<float>(), t.numel(), name, alpha, beta);
  else if (t.dtype == DType::kF64)
    apply<double>(t.as<double>(), t.numel(), name, alpha, beta);
  else
    fail(std::string("fused activation on ") + dtype_name(t.dtype) + " output");
}

}  // namespace rnpu::cpu
