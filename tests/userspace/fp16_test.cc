// The tensor forms of ir/fp16.h give bit-for-bit the scalar library's
// results on whatever vector path this CPU takes (fp16_vector_isa()).
#include "ir/fp16.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace {

using rnpu::ir::float_to_half;
using rnpu::ir::half_to_float;

uint32_t bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

float from_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

TEST(Fp16, TensorHalfToFloatMatchesScalarForEveryHalf) {
  // Odd length: the vector body and the scalar tail both run.
  std::vector<uint16_t> h(65536 + 3);
  for (size_t i = 0; i < h.size(); ++i) h[i] = uint16_t(i);
  std::vector<float> f(h.size());
  half_to_float(h.data(), f.data(), h.size());
  for (size_t i = 0; i < h.size(); ++i)
    ASSERT_EQ(bits(f[i]), bits(half_to_float(h[i])))
        << "half 0x" << std::hex << h[i] << " on " << rnpu::ir::fp16_vector_isa();
}

TEST(Fp16, TensorFloatToHalfMatchesScalarAtRoundingBoundaries) {
  std::vector<float> f;
  // Every half value, the midpoints to its neighbours and one ulp either
  // side of them: where round-to-nearest-even decides.
  for (uint32_t h = 0; h < 0x7c00; ++h) {
    float a = half_to_float(uint16_t(h)), b = half_to_float(uint16_t(h + 1));
    float mid = a + (b - a) / 2;
    for (float v : {a, mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 1e9f)}) {
      f.push_back(v);
      f.push_back(-v);
    }
  }
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {inf, -inf, 65504.0f, 65520.0f, 65519.99f, 1e-8f, 3e-8f, 1e30f, 0.0f, -0.0f})
    f.push_back(v);
  // NaNs with every kind of payload, in blocks of their own and mixed in.
  for (uint32_t payload : {1u, 0x1fffu, 0x2000u, 0x400000u, 0x7fffffu}) {
    f.push_back(from_bits(0x7f800000u | payload));
    f.push_back(from_bits(0xff800000u | payload));
  }
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> any;
  for (int i = 0; i < 100000; ++i) f.push_back(from_bits(any(rng)));
  f.push_back(1.0f);  // a scalar tail
  std::vector<uint16_t> h(f.size());
  float_to_half(f.data(), h.data(), f.size());
  for (size_t i = 0; i < f.size(); ++i)
    ASSERT_EQ(h[i], float_to_half(f[i]))
        << "float 0x" << std::hex << bits(f[i]) << " on " << rnpu::ir::fp16_vector_isa();
}

TEST(Fp16, EmptyAndShortBuffersUseTheScalarTail) {
  float f[3] = {1.5f, -2.0f, 0.25f};
  uint16_t h[3] = {0, 0, 0};
  float_to_half(f, h, 0);
  EXPECT_EQ(h[0], 0);
  float_to_half(f, h, 3);
  float back[3];
  half_to_float(h, back, 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(back[i], f[i]);
}

}  // namespace
