// Tensor fp16 conversion (ir/fp16.h) against the scalar library loop and a
// memcpy of the float32 buffer, measured in one run: ns per element and the
// ratios vector/scalar and vector/memcpy.
//
//   build/tests/userspace/rnpu-fp16-bench [--elements N] [--runs R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ir/fp16.h"

namespace {

template <class F>
double median_ns_per_element(F&& fn, size_t n, int runs) {
  std::vector<double> t;
  fn();  // warm-up: page in the buffers
  for (int r = 0; r < runs; ++r) {
    auto a = std::chrono::steady_clock::now();
    fn();
    t.push_back(
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - a).count() /
        double(n));
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = size_t(1) << 20;
  int runs = 51;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--elements")
      n = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--runs")
      runs = std::atoi(argv[i + 1]);
    else
      return std::fprintf(stderr, "usage: %s [--elements N] [--runs R]\n", argv[0]), 2;
  }
  if (n == 0 || runs < 1) return std::fprintf(stderr, "N and R must be positive\n"), 2;
  std::vector<float> f(n), f2(n);
  std::vector<uint16_t> h(n), h2(n);
  for (size_t i = 0; i < n; ++i) f[i] = float(i % 4093) * 0.37f - 700.0f;
  rnpu::ir::float_to_half(f.data(), h.data(), n);

  double vec_nh =
      median_ns_per_element([&] { rnpu::ir::float_to_half(f.data(), h2.data(), n); }, n, runs);
  double sca_nh = median_ns_per_element(
      [&] {
        for (size_t i = 0; i < n; ++i) h2[i] = rnpu::ir::float_to_half(f[i]);
      },
      n, runs);
  double vec_wf =
      median_ns_per_element([&] { rnpu::ir::half_to_float(h.data(), f2.data(), n); }, n, runs);
  double sca_wf = median_ns_per_element(
      [&] {
        for (size_t i = 0; i < n; ++i) f2[i] = rnpu::ir::half_to_float(h[i]);
      },
      n, runs);
  // The reference: copying the float32 side (4 bytes read and written per
  // element; a conversion reads 4 and writes 2, or the reverse).
  std::vector<char> src(n * 4), dst(n * 4);
  double copy =
      median_ns_per_element([&] { std::memcpy(dst.data(), src.data(), src.size()); }, n, runs);

  std::printf("fp16 tensor conversion, %zu elements, median of %d runs, vector path: %s\n", n, runs,
              rnpu::ir::fp16_vector_isa());
  std::printf("| direction | vector ns/elem | scalar ns/elem | scalar/vector | vector/memcpy |\n");
  std::printf("|---|---|---|---|---|\n");
  std::printf("| float32 -> float16 | %.3f | %.3f | %.1fx | %.2f |\n", vec_nh, sca_nh,
              sca_nh / vec_nh, vec_nh / copy);
  std::printf("| float16 -> float32 | %.3f | %.3f | %.1fx | %.2f |\n", vec_wf, sca_wf,
              sca_wf / vec_wf, vec_wf / copy);
  std::printf("memcpy of the float32 buffer: %.3f ns/elem\n", copy);
  return 0;
}
