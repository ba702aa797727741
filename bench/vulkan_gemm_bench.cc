// rnpu-vulkan-gemm-bench: times the Vulkan backend's GEMM kernels on one
// square problem (default 512^3, float32): "matmul" (tiled, shared memory)
// and "matmul_reg" (register-blocked), plus "matmul_small" (one invocation
// per output) with --all.  Per kernel: the median of --runs timed runs
// after one warm-up, as wall time around submit+wait and, where the device
// has timestamps, GPU time between timestamps.  Measures; asserts nothing
// (the kernels' correctness is tests/vulkan/kernel_gemm_test.cc).
//
//   rnpu-vulkan-gemm-bench [--size N] [--runs R] [--all]
// Exit status: 0, 2 on bad usage, 77 when there is no Vulkan device.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "backends/vulkan/shaders/opcodes.h"
#include "backends/vulkan/vk_context.h"
#include "backends/vulkan/vk_memory.h"
#include "backends/vulkan/vk_pipelines.h"
#include "backends/vulkan/vk_recording.h"
#include "gemm_dispatch.h"

using namespace rnpu::vk;

namespace {

Allocation upload(Allocator& alloc, size_t n, uint32_t seed) {
  Allocation a = alloc.allocate(n * 4, MemKind::kHost);
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  auto* f = reinterpret_cast<float*>(a.host());
  for (size_t i = 0; i < n; ++i) f[i] = seed ? d(g) : 0.0f;
  return a;
}

BufRange range(const Allocation& a) { return {a.buffer(), a.offset(), a.size()}; }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int usage() {
  std::fprintf(stderr, "usage: rnpu-vulkan-gemm-bench [--size N] [--runs R] [--all]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t n = 512;
  int runs = 10;
  bool all = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--size") && i + 1 < argc)
      n = uint32_t(std::strtoul(argv[++i], nullptr, 10));
    else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc)
      runs = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--all"))
      all = true;
    else
      return usage();
  }
  if (!n || runs < 1) return usage();

  std::string why;
  std::shared_ptr<Context> ctx = Context::create(&why);
  if (!ctx) {
    std::printf("NOT RUN: no Vulkan device: %s\n", why.c_str());
    return 77;
  }
  auto alloc = std::make_shared<Allocator>(ctx);
  auto pipes = std::make_shared<Pipelines>(ctx, "");
  size_t nn = size_t(n) * n;
  Allocation a = upload(*alloc, nn, 1), b = upload(*alloc, nn, 2), o = upload(*alloc, nn, 0);
  rnpu::vk::test::GemmShape s{n, n, n, false, false};
  double flop = 2.0 * n * n * n;

  std::printf("device: %s\n", ctx->info.name.c_str());
  std::vector<std::string> shaders = {"matmul", "matmul_reg"};
  if (all) shaders.push_back("matmul_small");
  for (const std::string& sh : shaders) {
    Recording r(ctx, pipes);
    r.dispatch(rnpu::vk::test::gemm_dispatch(sh, range(a), range(b), range(o), s, OP_NONE,
                                             ctx->limits));
    r.build(true);
    r.run();  // warm-up: pipeline creation, first-touch
    std::vector<double> wall, gpu;
    for (int i = 0; i < runs; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      r.run();
      wall.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
              .count());
      double ns = 0;
      for (const auto& t : r.timings()) ns += t.second;
      if (ns > 0) gpu.push_back(ns / 1e6);
    }
    double w = median(wall), g = median(gpu);
    std::printf("%-12s %u^3: wall %.2f ms (%.2f GFLOP/s)", sh.c_str(), n, w, flop / w / 1e6);
    if (g > 0) std::printf(", gpu %.2f ms (%.2f GFLOP/s)", g, flop / g / 1e6);
    std::printf("  [median of %d]\n", runs);
  }
  return 0;
}
