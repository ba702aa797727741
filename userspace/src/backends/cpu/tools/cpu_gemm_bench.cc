// rnpu-cpu-gemm-bench: the measurement behind the CPU backend's choice of
// library (docs/cpu-backend.md).  Times an n x n x n float32 matrix product
// through XNNPACK (what the backend uses), rnpu's reference kernel, and,
// when installed, OpenBLAS and oneDNN (loaded with dlopen so they are not
// build dependencies).
//   rnpu-cpu-gemm-bench [--size N] [--threads T] [--reps R]
#include <dlfcn.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "backends/cpu/kernels/gemm.h"

namespace {

double best_ms(int reps, const std::function<void()>& f) {
  f();  // warm up (first-touch, lazy initialisation)
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(
        best,
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

void report(const char* what, int64_t n, double ms) {
  std::printf("%-22s %8.3f ms  %7.1f GFLOP/s\n", what, ms, 2.0 * double(n * n * n) / ms / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n = 1024;
  int threads = 1, reps = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--size")
      n = std::atoll(argv[i + 1]);
    else if (a == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (a == "--reps")
      reps = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--size N] [--threads T] [--reps R]\n", argv[0]);
      return 2;
    }
  }
  // Thread counts for the dlopen'ed libraries must be set before loading.
  std::string t = std::to_string(threads);
  setenv("OMP_NUM_THREADS", t.c_str(), 1);
  setenv("OPENBLAS_NUM_THREADS", t.c_str(), 1);
  std::printf("float32 GEMM %lldx%lldx%lld, %d thread(s), best of %d\n", (long long)n, (long long)n,
              (long long)n, threads, reps);
  std::vector<float> a(size_t(n * n)), b(size_t(n * n)), c(size_t(n * n));
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = float(i % 17) * 0.01f;
    b[i] = float(i % 13) * 0.02f;
  }

  if (xnn_initialize(nullptr) != xnn_status_success) {
    std::fprintf(stderr, "xnn_initialize failed\n");
    return 1;
  }
  pthreadpool_t pool = threads > 1 ? pthreadpool_create(size_t(threads)) : nullptr;
  xnn_operator_t op = nullptr;
  const float inf = std::numeric_limits<float>::infinity();
  // Weights are packed once (as the backend does at compile time).
  if (xnn_create_fully_connected_nc_f32(size_t(n), size_t(n), size_t(n), size_t(n), b.data(),
                                        nullptr, -inf, inf, XNN_FLAG_TRANSPOSE_WEIGHTS,
                                        &op) != xnn_status_success ||
      xnn_setup_fully_connected_nc_f32(op, size_t(n), a.data(), c.data(), pool) !=
          xnn_status_success) {
    std::fprintf(stderr, "XNNPACK fully-connected setup failed\n");
    return 1;
  }
  report("XNNPACK (packed)", n, best_ms(reps, [&] { xnn_run_operator(op, pool); }));
  xnn_delete_operator(op);
  if (pool) pthreadpool_destroy(pool);

  if (void* h = dlopen("libopenblas.so.0", RTLD_NOW)) {
    using Fn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int,
                        float, float*, int);
    if (auto f = reinterpret_cast<Fn>(dlsym(h, "cblas_sgemm")))
      report("OpenBLAS cblas_sgemm", n, best_ms(reps, [&] {
               f(101, 111, 111, int(n), int(n), int(n), 1.0f, a.data(), int(n), b.data(), int(n),
                 0.0f, c.data(), int(n));
             }));
  } else {
    std::printf("%-22s not installed (libopenblas0)\n", "OpenBLAS");
  }
  void* dnnl = dlopen("libdnnl.so.3", RTLD_NOW);
  if (!dnnl) dnnl = dlopen("libdnnl.so.2", RTLD_NOW);
  if (dnnl) {
    using Fn = int (*)(char, char, int64_t, int64_t, int64_t, float, const float*, int64_t,
                       const float*, int64_t, float, float*, int64_t);
    if (auto f = reinterpret_cast<Fn>(dlsym(dnnl, "dnnl_sgemm")))
      report("oneDNN dnnl_sgemm", n, best_ms(reps, [&] {
               f('N', 'N', n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
             }));
  } else {
    std::printf("%-22s not installed (libdnnl2/3)\n", "oneDNN");
  }
  if (threads == 1 && n <= 1024)
    report("rnpu reference", n, best_ms(std::min(reps, 3), [&] {
             rnpu::cpu::gemm_nn<float>(n, n, n, a.data(), n, b.data(), n, c.data(), n, false);
           }));
  return 0;
}
