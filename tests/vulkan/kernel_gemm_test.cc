// GEMM kernels (tiled shared-memory and register-blocked) against a naive
// reference, including ragged edges, transposes and a fused activation.
// Their speed is measured by bench/vulkan_gemm_bench.cc, not here.
#include <algorithm>
#include <cmath>

#include "backends/vulkan/shaders/opcodes.h"
#include "gemm_dispatch.h"
#include "vk_harness.h"

namespace rnpu::vk::test {
namespace {

std::vector<float> naive(const std::vector<float>& a, const std::vector<float>& b,
                         const GemmShape& s) {
  std::vector<float> o(size_t(s.m) * s.n);
  for (uint32_t i = 0; i < s.m; ++i)
    for (uint32_t j = 0; j < s.n; ++j) {
      double acc = 0;
      for (uint32_t k = 0; k < s.k; ++k)
        acc += double(s.ta ? a[k * s.m + i] : a[i * s.k + k]) *
               double(s.tb ? b[j * s.k + k] : b[k * s.n + j]);
      o[size_t(i) * s.n + j] = float(acc);
    }
  return o;
}

class GemmKernels : public ::testing::TestWithParam<std::string> {};

TEST_P(GemmKernels, MatchNaiveReference) {
  RNPU_VK_REQUIRE_DEVICE();
  for (GemmShape s : {GemmShape{1, 1, 1, false, false}, GemmShape{70, 45, 33, false, false},
                      GemmShape{64, 64, 16, true, false}, GemmShape{33, 64, 16, false, false},
                      GemmShape{9, 12, 36, false, true}, GemmShape{5, 130, 77, false, true},
                      GemmShape{129, 3, 200, true, true}}) {
    auto av = random_floats(size_t(s.m) * s.k, 1), bv = random_floats(size_t(s.k) * s.n, 2);
    HostBuf a = upload(av), b = upload(bv), o = zeros(size_t(s.m) * s.n);
    run({gemm_dispatch(GetParam(), a.range(), b.range(), o.range(), s, OP_RELU,
                       env().ctx->limits)});
    std::vector<float> want = naive(av, bv, s);
    for (float& w : want) w = std::max(w, 0.0f);
    SCOPED_TRACE(GetParam() + " " + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                 std::to_string(s.k));
    expect_near(download(o), want, 1e-4, 1e-4);
  }
}

INSTANTIATE_TEST_SUITE_P(Vulkan, GemmKernels,
                         ::testing::Values("matmul", "matmul_reg", "matmul_small"));

}  // namespace
}  // namespace rnpu::vk::test
