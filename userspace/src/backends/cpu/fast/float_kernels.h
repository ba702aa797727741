// Vectorised float32 kernels for ops XNNPACK (2022) lacks but transformer
// models lean on: GELU/erf and LayerNormalization.  Built at -O3 with
// AVX2+FMA and baseline clones (runtime dispatch), so they stay portable.
#pragma once

#include <cstdint>

struct pthreadpool;

namespace rnpu::cpu::fast {

// erf with at most ~4e-7 absolute error (a rational fit on [0, 3.92]).
// Each takes an optional thread pool to split the work.
void erf_f32(const float* x, float* y, int64_t n, pthreadpool* pool = nullptr);
// GELU, exact form 0.5 * x * (1 + erf(x / sqrt(2))).
void gelu_f32(const float* x, float* y, int64_t n, pthreadpool* pool = nullptr);
// Normalises each of `rows` rows of `cols` elements, then y = n * scale + bias
// (bias may be null).
void layer_norm_f32(const float* x, float* y, int64_t rows, int64_t cols, const float* scale,
                    const float* bias, float eps, pthreadpool* pool = nullptr);

// In place: x = act(x) * scale + shift, act one of the kinds below.
enum : int { kActNone = 0, kActHardSwish = 1, kActRelu = 2 };
void act_affine_f32(float* x, int64_t n, int act, float scale, float shift,
                    pthreadpool* pool = nullptr);

}  // namespace rnpu::cpu::fast
