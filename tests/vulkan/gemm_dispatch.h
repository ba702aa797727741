// One GEMM dispatch for the Vulkan GEMM kernels ("matmul": tiled shared
// memory, "matmul_reg": register-blocked, "matmul_small": one invocation per
// output), shared by their test (kernel_gemm_test.cc) and their benchmark
// (bench/vulkan_gemm_bench.cc).  out[m x n] = act(a[m x k] * b[k x n]),
// either operand optionally transposed.
#pragma once

#include <cstdint>
#include <string>

#include "backends/vulkan/vk_recording.h"

namespace rnpu::vk::test {

struct GemmShape {
  uint32_t m, n, k;
  bool ta, tb;
};

inline Dispatch gemm_dispatch(const std::string& shader, BufRange a, BufRange b, BufRange o,
                              const GemmShape& s, int act, const VkPhysicalDeviceLimits& limits) {
  Dispatch d;
  d.shader = shader;
  bool reg = shader == "matmul_reg";
  d.spec = {uint32_t(act),
            0,
            0,
            0,
            reg && !s.tb && s.n % 4 == 0 ? 1u : 0u,
            reg && !s.ta && s.k % 4 == 0 ? 1u : 0u};
  d.bind[0] = a;
  d.bind[1] = b;
  d.bind[3] = o;
  d.write_mask = 1u << 3;
  uint32_t a_rs = s.ta ? 1 : s.k, a_cs = s.ta ? s.m : 1;
  uint32_t b_rs = s.tb ? 1 : s.n, b_cs = s.tb ? s.k : 1;
  for (uint32_t v : {s.m, s.n, s.k, 1u, 1u, 0u, 0u, 0u, 0u, 0u, 0u, a_rs, a_cs, b_rs, b_cs, 0u, 0u})
    d.push_u32(v);
  d.push_f32(1.0f);
  d.push_f32(0.0f);
  if (reg)
    for (uint32_t v : {0u, s.n, s.m * s.n}) d.push_u32(v);
  if (shader == "matmul")
    d.groups = {(s.n + 63) / 64, (s.m + 63) / 64, 1};
  else if (shader == "matmul_reg")
    d.groups = {(s.n + 255) / 256, (s.m + 7) / 8, 1};
  else {
    d.push_u32(s.m * s.n);
    d.groups = grid_1d(uint64_t(s.m) * s.n, 64, limits);
  }
  return d;
}

}  // namespace rnpu::vk::test
