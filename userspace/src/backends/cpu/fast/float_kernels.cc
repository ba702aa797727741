#include "float_kernels.h"

#include <pthreadpool.h>

#include <algorithm>
#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#define RNPU_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define RNPU_CLONES
#endif

namespace rnpu::cpu::fast {

namespace {

// erf(x) = x P(x^2) / Q(x^2) for |x| <= 3.92 (beyond, erf is +-1 in float).
// Coefficients fitted for this file by iterated weighted least squares
// (Sanathanan-Koerner, then Lawson weights towards minimax) on [0, 3.92];
// float32 evaluation stays within 3.6e-7 of erf.
constexpr float kP[6] = {1.128378987e+00f, 1.927561164e-01f, 5.305955932e-02f,
                         3.868020838e-03f, 2.874784695e-04f, 2.034875706e-06f};
constexpr float kQ[6] = {
    1.0f, 5.041573048e-01f, 1.150814518e-01f, 1.517167874e-02f, 1.188051770e-03f, 3.807204484e-05f};
constexpr float kClamp = 3.92f;
constexpr float kRsqrt2 = 0.70710678118654752f;

inline float erf_scalar(float x) {
  if (std::isnan(x)) return x;
  float c = x < -kClamp ? -kClamp : (x > kClamp ? kClamp : x);
  float t = c * c;
  float p = kP[5], q = kQ[5];
  for (int k = 4; k >= 0; --k) {
    p = p * t + kP[k];
    q = q * t + kQ[k];
  }
  float r = c * p / q;
  return r > 1.0f ? 1.0f : (r < -1.0f ? -1.0f : r);
}

#if defined(__x86_64__) && defined(__GNUC__)
// Eight lanes at a time; max(lo, x)/min(hi, .) keep NaN lanes NaN because
// the x86 min/max return their second operand when either is NaN.
__attribute__((target("avx2,fma"))) inline __m256 erf_avx2(__m256 x) {
  __m256 c = _mm256_min_ps(_mm256_set1_ps(kClamp), _mm256_max_ps(_mm256_set1_ps(-kClamp), x));
  __m256 t = _mm256_mul_ps(c, c);
  __m256 p = _mm256_set1_ps(kP[5]), q = _mm256_set1_ps(kQ[5]);
  for (int k = 4; k >= 0; --k) {
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(kP[k]));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(kQ[k]));
  }
  __m256 r = _mm256_div_ps(_mm256_mul_ps(c, p), q);
  return _mm256_min_ps(_mm256_set1_ps(1.0f), _mm256_max_ps(_mm256_set1_ps(-1.0f), r));
}

__attribute__((target("avx2,fma"))) void erf_avx2_loop(const float* x, float* y, int64_t n,
                                                       bool gelu) {
  int64_t i = 0;
  const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    if (gelu) {
      __m256 e = erf_avx2(_mm256_mul_ps(v, _mm256_set1_ps(kRsqrt2)));
      _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, e)));
    } else {
      _mm256_storeu_ps(y + i, erf_avx2(v));
    }
  }
  for (; i < n; ++i)
    y[i] = gelu ? 0.5f * x[i] * (1.0f + erf_scalar(x[i] * kRsqrt2)) : erf_scalar(x[i]);
}

bool have_avx2() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}
#endif

void erf_loop(const float* x, float* y, int64_t n, bool gelu) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (have_avx2()) return erf_avx2_loop(x, y, n, gelu);
#endif
  for (int64_t i = 0; i < n; ++i)
    y[i] = gelu ? 0.5f * x[i] * (1.0f + erf_scalar(x[i] * kRsqrt2)) : erf_scalar(x[i]);
}

struct ErfJob {
  const float* x;
  float* y;
  int64_t n;
  bool gelu;
};

constexpr int64_t kChunk = 16384;

void erf_task(void* ctx, size_t i) {
  auto& j = *static_cast<ErfJob*>(ctx);
  int64_t b = int64_t(i) * kChunk, e = std::min(j.n, b + kChunk);
  erf_loop(j.x + b, j.y + b, e - b, j.gelu);
}

void erf_parallel(const float* x, float* y, int64_t n, bool gelu, pthreadpool* pool) {
  ErfJob j{x, y, n, gelu};
  size_t chunks = size_t((n + kChunk - 1) / kChunk);
  if (pool && chunks > 1)
    pthreadpool_parallelize_1d(pool, erf_task, &j, chunks, 0);
  else
    erf_loop(x, y, n, gelu);
}

}  // namespace

void erf_f32(const float* x, float* y, int64_t n, pthreadpool* pool) {
  erf_parallel(x, y, n, false, pool);
}

void gelu_f32(const float* x, float* y, int64_t n, pthreadpool* pool) {
  erf_parallel(x, y, n, true, pool);
}

namespace {

RNPU_CLONES void layer_norm_rows(const float* x, float* y, int64_t rows, int64_t cols,
                                 const float* scale, const float* bias, float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float sum = 0;
    for (int64_t i = 0; i < cols; ++i) sum += xr[i];
    float mean = sum / float(cols);
    float var = 0;
    for (int64_t i = 0; i < cols; ++i) {
      float d = xr[i] - mean;
      var += d * d;
    }
    float inv = 1.0f / std::sqrt(var / float(cols) + eps);
    if (bias)
      for (int64_t i = 0; i < cols; ++i) yr[i] = (xr[i] - mean) * inv * scale[i] + bias[i];
    else
      for (int64_t i = 0; i < cols; ++i) yr[i] = (xr[i] - mean) * inv * scale[i];
  }
}

struct NormJob {
  const float *x, *scale, *bias;
  float* y;
  int64_t rows, cols;
  float eps;
};

constexpr int64_t kRowTile = 8;

void norm_task(void* ctx, size_t i) {
  auto& j = *static_cast<NormJob*>(ctx);
  int64_t r0 = int64_t(i) * kRowTile, r1 = std::min(j.rows, r0 + kRowTile);
  layer_norm_rows(j.x + r0 * j.cols, j.y + r0 * j.cols, r1 - r0, j.cols, j.scale, j.bias, j.eps);
}

}  // namespace

void layer_norm_f32(const float* x, float* y, int64_t rows, int64_t cols, const float* scale,
                    const float* bias, float eps, pthreadpool* pool) {
  NormJob j{x, scale, bias, y, rows, cols, eps};
  size_t tiles = size_t((rows + kRowTile - 1) / kRowTile);
  if (pool && tiles > 1)
    pthreadpool_parallelize_1d(pool, norm_task, &j, tiles, 0);
  else
    layer_norm_rows(x, y, rows, cols, scale, bias, eps);
}

namespace {

inline float act_scalar(float v, int act) {
  if (act == kActHardSwish) {
    float g = v * (1.0f / 6) + 0.5f;
    g = g < 0 ? 0 : (g > 1 ? 1 : g);
    return v * g;
  }
  if (act == kActRelu) return v > 0 ? v : 0;
  return v;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2,fma"))) void act_affine_avx2(float* x, int64_t n, int act, float sc,
                                                         float sh) {
  const __m256 vs = _mm256_set1_ps(sc), vb = _mm256_set1_ps(sh), zero = _mm256_setzero_ps(),
               one = _mm256_set1_ps(1.0f), sixth = _mm256_set1_ps(1.0f / 6),
               half = _mm256_set1_ps(0.5f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    if (act == kActHardSwish) {
      __m256 g = _mm256_fmadd_ps(v, sixth, half);
      g = _mm256_min_ps(one, _mm256_max_ps(zero, g));
      v = _mm256_mul_ps(v, g);
    } else if (act == kActRelu) {
      v = _mm256_max_ps(zero, v);
    }
    _mm256_storeu_ps(x + i, _mm256_fmadd_ps(v, vs, vb));
  }
  for (; i < n; ++i) x[i] = act_scalar(x[i], act) * sc + sh;
}
#endif

void act_affine_loop(float* x, int64_t n, int act, float sc, float sh) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (have_avx2()) return act_affine_avx2(x, n, act, sc, sh);
#endif
  for (int64_t i = 0; i < n; ++i) x[i] = act_scalar(x[i], act) * sc + sh;
}

struct AffineJob {
  float* x;
  int64_t n;
  int act;
  float sc, sh;
};

void affine_task(void* ctx, size_t i) {
  auto& j = *static_cast<AffineJob*>(ctx);
  int64_t b = int64_t(i) * kChunk, e = std::min(j.n, b + kChunk);
  act_affine_loop(j.x + b, e - b, j.act, j.sc, j.sh);
}

}  // namespace

void act_affine_f32(float* x, int64_t n, int act, float scale, float shift, pthreadpool* pool) {
  AffineJob j{x, n, act, scale, shift};
  size_t chunks = size_t((n + kChunk - 1) / kChunk);
  if (pool && chunks > 1)
    pthreadpool_parallelize_1d(pool, affine_task, &j, chunks, 0);
  else
    act_affine_loop(x, n, act, scale, shift);
}

}  // namespace rnpu::cpu::fast
