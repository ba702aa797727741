// GEMM kernels (tiled shared-memory and register-blocked) against a naive
// reference, including ragged edges, transposes and a fused activation.
#include <chrono>
#include <cmath>

#include "backends/vulkan/shaders/opcodes.h"
#include "vk_harness.h"

namespace rnpu::vk::test {
namespace {

struct Shape {
  uint32_t m, n, k;
  bool ta, tb;
};

std::vector<float> naive(const std::vector<float>& a, const std::vector<float>& b, const Shape& s) {
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

Dispatch gemm(const std::string& shader, const HostBuf& a, const HostBuf& b, const HostBuf& o,
              const Shape& s, int act) {
  Dispatch d;
  d.shader = shader;
  bool reg = shader == "matmul_reg";
  d.spec = {uint32_t(act),
            0,
            0,
            0,
            reg && !s.tb && s.n % 4 == 0 ? 1u : 0u,
            reg && !s.ta && s.k % 4 == 0 ? 1u : 0u};
  d.bind[0] = a.range();
  d.bind[1] = b.range();
  d.bind[3] = o.range();
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
    d.groups = grid_1d(uint64_t(s.m) * s.n, 64, env().ctx->limits);
  }
  return d;
}

class GemmKernels : public ::testing::TestWithParam<std::string> {};

TEST_P(GemmKernels, MatchNaiveReference) {
  RNPU_VK_REQUIRE_DEVICE();
  for (Shape s : {Shape{1, 1, 1, false, false}, Shape{70, 45, 33, false, false},
                  Shape{64, 64, 16, true, false}, Shape{33, 64, 16, false, false},
                  Shape{9, 12, 36, false, true}, Shape{5, 130, 77, false, true},
                  Shape{129, 3, 200, true, true}}) {
    auto av = random_floats(size_t(s.m) * s.k, 1), bv = random_floats(size_t(s.k) * s.n, 2);
    HostBuf a = upload(av), b = upload(bv), o = zeros(size_t(s.m) * s.n);
    run({gemm(GetParam(), a, b, o, s, OP_RELU)});
    std::vector<float> want = naive(av, bv, s);
    for (float& w : want) w = std::max(w, 0.0f);
    SCOPED_TRACE(GetParam() + " " + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                 std::to_string(s.k));
    expect_near(download(o), want, 1e-4, 1e-4);
  }
}

INSTANTIATE_TEST_SUITE_P(Vulkan, GemmKernels,
                         ::testing::Values("matmul", "matmul_reg", "matmul_small"));

TEST(VulkanKernelSpeed, GemmVariants) {
  RNPU_VK_REQUIRE_DEVICE();
  Shape s{512, 512, 512, false, false};
  HostBuf a = upload(random_floats(512 * 512, 1)), b = upload(random_floats(512 * 512, 2)),
          o = zeros(512 * 512);
  for (const char* sh : {"matmul", "matmul_reg"}) {
    Recording r(env().ctx, env().pipes);
    r.dispatch(gemm(sh, a, b, o, s, OP_NONE));
    r.build(false);
    r.run();
    auto t0 = std::chrono::steady_clock::now();
    r.run();
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s 512^3: %.1f ms (%.2f GFLOP/s)\n", sh, ms, 2.0 * 512 * 512 * 512 / ms / 1e6);
  }
}

}  // namespace
}  // namespace rnpu::vk::test
