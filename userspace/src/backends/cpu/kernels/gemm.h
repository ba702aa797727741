// Plain row-major matrix multiply used by the reference Conv, Gemm and
// MatMul kernels.  It streams rows of B (i-k-j order) so the inner loop
// vectorizes; it is a correctness baseline, the fast path is XNNPACK.
#pragma once

#include <cstdint>

namespace rnpu::cpu {

// C[M,N] (+)= A[M,K] * B[K,N], all row-major with leading dimensions.
template <class T>
void gemm_nn(int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb,
             T* c, int64_t ldc, bool accumulate) {
  for (int64_t i = 0; i < m; ++i) {
    T* ci = c + i * ldc;
    if (!accumulate)
      for (int64_t j = 0; j < n; ++j) ci[j] = T(0);
    const T* ai = a + i * lda;
    for (int64_t p = 0; p < k; ++p) {
      const T av = ai[p];
      if (av == T(0)) continue;
      const T* bp = b + p * ldb;
      for (int64_t j = 0; j < n; ++j) ci[j] += av * bp[j];
    }
  }
}

}  // namespace rnpu::cpu
