#include "ir/fp16.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define RNPU_FP16_X86 1
#elif defined(__aarch64__)
#include <arm_neon.h>
#define RNPU_FP16_NEON 1
#endif

namespace rnpu::ir {

namespace {

void half_to_float_scalar(const uint16_t* s, float* d, size_t n) {
  for (size_t i = 0; i < n; ++i) d[i] = half_to_float(s[i]);
}

void float_to_half_scalar(const float* s, uint16_t* d, size_t n) {
  for (size_t i = 0; i < n; ++i) d[i] = float_to_half(s[i]);
}

#if RNPU_FP16_X86
bool have_f16c() {
  // cpuid rather than __builtin_cpu_supports: clang 14 (the fuzz builds)
  // does not know the "f16c" feature name.
  static const bool ok = [] {
    unsigned a, b, c, d;
    return __builtin_cpu_supports("avx") && __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
  }();
  return ok;
}

__attribute__((target("avx,f16c"))) void half_to_float_f16c(const uint16_t* s, float* d, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    _mm256_storeu_ps(d + i, _mm256_cvtph_ps(h));
  }
  half_to_float_scalar(s + i, d + i, n - i);
}

// VCVTPS2PH keeps a NaN's upper payload bits where the library returns the
// canonical quiet NaN; blocks holding a NaN take the scalar path, so both
// forms agree bit for bit.
__attribute__((target("avx,f16c"))) void float_to_half_f16c(const float* s, uint16_t* d, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 x = _mm256_loadu_ps(s + i);
    if (_mm256_movemask_ps(_mm256_cmp_ps(x, x, _CMP_UNORD_Q))) {
      float_to_half_scalar(s + i, d + i, 8);
      continue;
    }
    __m128i h = _mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i), h);
  }
  float_to_half_scalar(s + i, d + i, n - i);
}
#endif

#if RNPU_FP16_NEON
void half_to_float_neon(const uint16_t* s, float* d, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(d + i, vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(s + i))));
  half_to_float_scalar(s + i, d + i, n - i);
}

void float_to_half_neon(const float* s, uint16_t* d, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    float32x4_t x = vld1q_f32(s + i);
    // As on x86: NaN blocks go scalar for the canonical quiet NaN.
    if (vminvq_u32(vceqq_f32(x, x)) == 0) {
      float_to_half_scalar(s + i, d + i, 4);
      continue;
    }
    vst1_u16(d + i, vreinterpret_u16_f16(vcvt_f16_f32(x)));
  }
  float_to_half_scalar(s + i, d + i, n - i);
}
#endif

}  // namespace

void half_to_float(const uint16_t* src, float* dst, size_t n) {
#if RNPU_FP16_X86
  if (have_f16c()) return half_to_float_f16c(src, dst, n);
#elif RNPU_FP16_NEON
  return half_to_float_neon(src, dst, n);
#endif
  half_to_float_scalar(src, dst, n);
}

void float_to_half(const float* src, uint16_t* dst, size_t n) {
#if RNPU_FP16_X86
  if (have_f16c()) return float_to_half_f16c(src, dst, n);
#elif RNPU_FP16_NEON
  return float_to_half_neon(src, dst, n);
#endif
  float_to_half_scalar(src, dst, n);
}

const char* fp16_vector_isa() {
#if RNPU_FP16_X86
  return have_f16c() ? "f16c" : "scalar";
#elif RNPU_FP16_NEON
  return "neon";
#else
  return "scalar";
#endif
}

}  // namespace rnpu::ir
