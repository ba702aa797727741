// Element conversion, random inputs and summaries of the rnpu command.
#include "tensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace rnpu::cli {
namespace {

TEST(Half, KnownValues) {
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0f), 0xc000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_half(1e6f), 0x7c00);
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -24)), 0x0001);         // smallest subnormal
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -26)), 0x0000);         // rounds to zero
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie -> even
  EXPECT_EQ(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(NAN))));
  EXPECT_EQ(half_to_float(0x3555), 0.333251953125f);
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(half_to_float(0x8000), -0.0f);
  EXPECT_EQ(half_to_float(0xfc00), -INFINITY);
  EXPECT_EQ(bfloat16_to_float(0x3f80), 1.0f);
}

TEST(Half, RoundTripsEveryFiniteHalf) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;  // inf/nan
    EXPECT_EQ(float_to_half(half_to_float(uint16_t(h))), h) << std::hex << h;
  }
}

TEST(Random, DeterministicAndInRange) {
  std::mt19937_64 a(5), b(5);
  NpyArray x = random_tensor(DataType::kFloat32, {4, 8}, a);
  NpyArray y = random_tensor(DataType::kFloat32, {4, 8}, b);
  EXPECT_EQ(x.data, y.data);
  ASSERT_EQ(x.data.size(), 4u * 8 * 4);
  for (size_t i = 0; i < 32; ++i) {
    double v = element_as_double(DataType::kFloat32, x.data.data(), i);
    EXPECT_GE(v, -1.0);
    EXPECT_LT(v, 1.0);
  }
  NpyArray ids = random_tensor(DataType::kInt64, {100}, a);
  for (size_t i = 0; i < 100; ++i) {
    double v = element_as_double(DataType::kInt64, ids.data.data(), i);
    EXPECT_GE(v, 0);
    EXPECT_LE(v, 9);
  }
  NpyArray bools = random_tensor(DataType::kBool, {50}, a);
  for (uint8_t v : bools.data) EXPECT_LE(v, 1);
  EXPECT_EQ(random_tensor(DataType::kFloat16, {3}, a).data.size(), 6u);
  EXPECT_TRUE(random_tensor(DataType::kUInt8, {0, 5}, a).data.empty());
  EXPECT_THROW(random_tensor(DataType::kString, {1}, a), std::runtime_error);
}

TEST(Summary, StatsAndText) {
  float v[5] = {1, -3, NAN, 5, 0.5f};
  Summary s = summarize(DataType::kFloat32, v, 5, 3);
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.nan, 1u);
  EXPECT_EQ(s.min, -3);
  EXPECT_EQ(s.max, 5);
  EXPECT_DOUBLE_EQ(s.mean, 3.5 / 4);
  EXPECT_EQ(s.head.size(), 3u);
  int8_t q[3] = {-128, 0, 127};
  EXPECT_EQ(summarize(DataType::kInt8, q, 3).min, -128);
  TensorView t{DataType::kInt8, {3}, q, 3};
  EXPECT_EQ(describe(t), "int8 [3]  min -128 max 127 mean -0.333333  [-128, 0, 127]");
  EXPECT_EQ(shape_str({1, -1, 3}), "[1,?,3]");
  EXPECT_EQ(shape_str({}), "[]");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(3 << 20), "3.0 MiB");
}

}  // namespace
}  // namespace rnpu::cli
