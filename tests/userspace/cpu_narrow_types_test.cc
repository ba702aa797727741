// Float8 and int4/uint4 on the CPU kernels: the conversions, Cast with and
// without saturation, blocked and float8 (de)quantisation, and their errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "backends/cpu/kernels/float8.h"
#include "cpu_test_util.h"

namespace rnpu::cpu::test {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Tensor bytes(DType t, const Shape& shape, const std::vector<uint8_t>& v) {
  Tensor x = tensor<uint8_t>(shape, v);
  x.dtype = t;
  return x;
}

TEST(CpuFloat8, DecodesEveryFormatsLandmarks) {
  EXPECT_EQ(float8_to_float(0x7e, DType::kF8E4M3FN), 448.0f);
  EXPECT_EQ(float8_to_float(0x01, DType::kF8E4M3FN), std::ldexp(1.0f, -9));
  EXPECT_TRUE(std::isnan(float8_to_float(0xff, DType::kF8E4M3FN)));
  EXPECT_EQ(float8_to_float(0x7f, DType::kF8E4M3FNUZ), 240.0f);
  EXPECT_TRUE(std::isnan(float8_to_float(0x80, DType::kF8E4M3FNUZ)));
  EXPECT_EQ(float8_to_float(0x7b, DType::kF8E5M2), 57344.0f);
  EXPECT_EQ(float8_to_float(0xfc, DType::kF8E5M2), -kInf);
  EXPECT_TRUE(std::isnan(float8_to_float(0x7d, DType::kF8E5M2)));
  EXPECT_EQ(float8_to_float(0x7f, DType::kF8E5M2FNUZ), 57344.0f);
  EXPECT_EQ(float8_to_float(0x01, DType::kF8E5M2FNUZ), std::ldexp(1.0f, -17));
}

TEST(CpuFloat8, EveryCodeRoundTrips) {
  for (DType t : {DType::kF8E4M3FN, DType::kF8E4M3FNUZ, DType::kF8E5M2, DType::kF8E5M2FNUZ})
    for (int b = 0; b < 256; ++b) {
      if (float8_is_nan(uint8_t(b), t)) continue;
      float f = float8_to_float(uint8_t(b), t);
      EXPECT_EQ(float_to_float8(f, t, false), b) << dtype_name(t) << " code " << b;
    }
}

TEST(CpuFloat8, RoundsToNearestEvenAndSaturates) {
  // 1.0625 lies halfway between 1 (0x38) and 1.125 (0x39) in e4m3fn: even wins.
  EXPECT_EQ(float_to_float8(1.0625f, DType::kF8E4M3FN, true), 0x38);
  EXPECT_EQ(float_to_float8(1.1875f, DType::kF8E4M3FN, true), 0x3a);
  EXPECT_EQ(float_to_float8(1e6f, DType::kF8E4M3FN, true), 0x7e);
  EXPECT_EQ(float_to_float8(1e6f, DType::kF8E4M3FN, false), 0x7f);  // NaN
  EXPECT_EQ(float_to_float8(-kInf, DType::kF8E4M3FN, true), 0xfe);
  EXPECT_EQ(float_to_float8(1e6f, DType::kF8E5M2, false), 0x7c);  // infinity
  EXPECT_EQ(float_to_float8(kInf, DType::kF8E5M2, true), 0x7b);
  EXPECT_EQ(float_to_float8(-1e6f, DType::kF8E4M3FNUZ, false), 0x80);
  EXPECT_EQ(float_to_float8(kNaN, DType::kF8E5M2FNUZ, true), 0x80);
  // No negative zero in the "uz" formats; tiny values flush to +0 there.
  EXPECT_EQ(float_to_float8(-0.0f, DType::kF8E4M3FNUZ, true), 0x00);
  EXPECT_EQ(float_to_float8(-1e-7f, DType::kF8E5M2FNUZ, true), 0x00);
  EXPECT_EQ(float_to_float8(-1e-7f, DType::kF8E4M3FN, true), 0x80);
}

TEST(CpuFloat8, Int4ClipsThenRoundsHalfToEven) {
  EXPECT_EQ(float_to_int4(2.5f), 2);
  EXPECT_EQ(float_to_int4(-9.0f), -8);
  EXPECT_EQ(float_to_int4(7.6f), 7);
  EXPECT_EQ(float_to_uint4(-1.0f), 0);
  EXPECT_EQ(float_to_uint4(15.5f), 15);
  EXPECT_EQ(float_to_uint4(kNaN), 0);
}

TEST(CpuNarrowCast, FloatToFloat8HonoursSaturate) {
  Tensor x = tensor<float>({3}, {0.5f, 1000.0f, -kInf});
  Attrs a;
  a.set("to", int64_t(DType::kF8E4M3FN));
  EXPECT_EQ(values<uint8_t>(run1("Cast", {&x}, a)), (std::vector<uint8_t>{0x30, 0x7e, 0xfe}));
  a.set("saturate", int64_t(0));
  EXPECT_EQ(values<uint8_t>(run1("Cast", {&x}, a)), (std::vector<uint8_t>{0x30, 0x7f, 0xff}));
}

TEST(CpuNarrowCast, Int4ToFloatAndBack) {
  Tensor x = bytes(DType::kI4, {3}, {0xf8, 0x07, 0xff});  // -8, 7, -1
  Attrs a;
  a.set("to", int64_t(DType::kF32));
  expect_near(values<float>(run1("Cast", {&x}, a)), {-8, 7, -1});
  Tensor f = tensor<float>({3}, {-20.0f, 3.5f, 100.0f});
  a.set("to", int64_t(DType::kU4));
  Tensor u = run1("Cast", {&f}, a);
  EXPECT_EQ(u.dtype, DType::kU4);
  EXPECT_EQ(values<uint8_t>(u), (std::vector<uint8_t>{0, 4, 15}));
}

TEST(CpuNarrowCast, Float8ToFloat16GoesThroughFloat) {
  Tensor x = bytes(DType::kF8E5M2, {2}, {0x3c, 0x7c});  // 1.0, inf
  Attrs a;
  a.set("to", int64_t(DType::kF16));
  Tensor y = run1("Cast", {&x}, a);
  EXPECT_EQ(values<uint16_t>(y), (std::vector<uint16_t>{0x3c00, 0x7c00}));
}

TEST(CpuNarrowQuant, BlockedQuantizeUsesOneScalePerBlock) {
  // x [2,3], blocks of 2 along axis 1: scales [2,2], the last block short.
  Tensor x = tensor<float>({2, 3}, {2, 4, 6, 8, 10, 12});
  Tensor s = tensor<float>({2, 2}, {2, 3, 4, 5});
  Tensor z = tensor<int8_t>({2, 2}, {0, 1, 0, -1});
  Attrs a;
  a.set("axis", int64_t(1)).set("block_size", int64_t(2));
  Tensor y = run1("QuantizeLinear", {&x, &s, &z}, a, 21);
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{1, 2, 3, 2, 2, 1}));
  Tensor back = run1("DequantizeLinear", {&y, &s, &z}, a, 21);
  expect_near(values<float>(back), {2, 4, 6, 8, 8, 10});
}

TEST(CpuNarrowQuant, BlockedScaleOfTheWrongShapeIsAnError) {
  Tensor x = tensor<float>({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor s = tensor<float>({2, 3}, {1, 1, 1, 1, 1, 1});  // 4 elements / 2 = 2 blocks, not 3
  Attrs a;
  a.set("axis", int64_t(1)).set("block_size", int64_t(2));
  EXPECT_THROW(run1("QuantizeLinear", {&x, &s}, a, 21), KernelError);
  Tensor s1 = tensor<float>({4}, {1, 1, 1, 1});  // rank differs from x
  EXPECT_THROW(run1("QuantizeLinear", {&x, &s1}, a, 21), KernelError);
  a.set("block_size", int64_t(-1));
  EXPECT_THROW(run1("QuantizeLinear", {&x, &s}, a, 21), KernelError);
}

TEST(CpuNarrowQuant, OutputDtypeNamesTheTypeWithoutAZeroPoint) {
  Tensor x = tensor<float>({3}, {-20, 3, 40});
  Tensor s = tensor<float>({}, {2});
  Attrs a;
  a.set("output_dtype", int64_t(DType::kI4));
  Tensor y = run1("QuantizeLinear", {&x, &s}, a, 21);
  EXPECT_EQ(y.dtype, DType::kI4);
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{-8, 2, 7}));
  Tensor z = tensor<uint8_t>({}, {0});
  EXPECT_THROW(run1("QuantizeLinear", {&x, &s, &z}, a, 21), KernelError);  // uint8 != int4
}

TEST(CpuNarrowQuant, Float8QuantizeSaturatesAndRefusesAZeroPointOtherThanZero) {
  Tensor x = tensor<float>({2}, {1.0f, 1e9f});
  Tensor s = tensor<float>({}, {1.0f});
  Tensor z = bytes(DType::kF8E4M3FN, {}, {0});
  Tensor y = run1("QuantizeLinear", {&x, &s, &z}, {}, 19);
  EXPECT_EQ(values<uint8_t>(y), (std::vector<uint8_t>{0x38, 0x7e}));
  Tensor back = run1("DequantizeLinear", {&y, &s, &z}, {}, 19);
  expect_near(values<float>(back), {1.0f, 448.0f});
  Tensor bad = bytes(DType::kF8E4M3FN, {}, {0x38});
  EXPECT_THROW(run1("QuantizeLinear", {&x, &s, &bad}, {}, 19), KernelError);
}

TEST(CpuNarrowQuant, DequantizeKeepsTheScalesType) {
  Tensor x = bytes(DType::kU4, {2}, {15, 3});
  Tensor s = tensor<Half>({}, {Half{0x3800}});  // 0.5
  Tensor z = bytes(DType::kU4, {}, {1});
  Tensor y = run1("DequantizeLinear", {&x, &s, &z}, {}, 21);
  ASSERT_EQ(y.dtype, DType::kF16);
  EXPECT_EQ(values<uint16_t>(y), (std::vector<uint16_t>{0x4700, 0x3c00}));  // 7, 1
  Tensor z8 = tensor<uint8_t>({}, {1});
  EXPECT_THROW(run1("DequantizeLinear", {&x, &s, &z8}, {}, 21), KernelError);
}

TEST(CpuNarrowQuant, QLinearMatMulSaturates) {
  Tensor a = tensor<int8_t>({1, 2}, {100, 100});
  Tensor b = tensor<int8_t>({2, 1}, {100, 100});
  Tensor one = tensor<float>({}, {1.0f});
  Tensor zp = tensor<int8_t>({}, {0});
  Tensor y = run1("QLinearMatMul", {&a, &one, &zp, &b, &one, &zp, &one, &zp});
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{127}));  // 20000, not wrapped
}

TEST(CpuNarrowTypes, OnlyMovingKernelsAcceptThem) {
  Attrs none;
  NodeInfo add{"Add", none, {DType::kF8E4M3FN, DType::kF8E4M3FN}, {DType::kF8E4M3FN}};
  EXPECT_NE(KernelRegistry::get().why_unsupported(add), "");
  NodeInfo reshape{"Reshape", none, {DType::kI4, DType::kI64}, {DType::kI4}};
  EXPECT_EQ(KernelRegistry::get().why_unsupported(reshape), "");
  NodeInfo qmm{"QLinearMatMul",
               none,
               {DType::kI8, DType::kF32, DType::kI8, DType::kF8E4M3FN, DType::kF32,
                DType::kF8E4M3FN, DType::kF32, DType::kI8},
               {DType::kI8}};
  EXPECT_NE(KernelRegistry::get().why_unsupported(qmm), "");
}

}  // namespace
}  // namespace rnpu::cpu::test
