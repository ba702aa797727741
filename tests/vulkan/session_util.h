// Running ONNX models built in code on a backend and comparing with the
// cpu backend's reference kernels, for the Vulkan tests.
#pragma once

#include <string>
#include <vector>

#include "rnpu/rnpu.hpp"

namespace rnpu::vk::test {

struct Feed {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

// Registers the test variants of the vulkan backend once: "vulkan_cpuk"
// (CPU kernel family), "vulkan_gpuk" (GPU kernel family) and
// "vulkan_staging" (staged I/O).  Returns their names.
const std::vector<std::string>& vulkan_variants();

// Outputs as float vectors.
std::vector<std::vector<float>> run_model(const std::string& model, const std::vector<Feed>& in,
                                          const std::vector<std::string>& backends,
                                          int opt_level = 1, bool fallback = false);

// Compares backend `b` with the cpu reference (optimisation level 0).
void expect_matches_reference(const std::string& model, const std::vector<Feed>& in,
                              const std::string& backend, double tol = 1e-3);

}  // namespace rnpu::vk::test
