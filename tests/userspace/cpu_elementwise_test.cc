// Elementwise CPU kernels against hand-computed results.
#include <cmath>

#include "cpu_test_util.h"

namespace rnpu::cpu::test {
namespace {

TEST(CpuElementwise, AddBroadcastsRowAndColumn) {
  Tensor a = tensor<float>({2, 1}, {1, 2});
  Tensor b = tensor<float>({3}, {10, 20, 30});
  Tensor y = run1("Add", {&a, &b});
  EXPECT_EQ(y.shape, (Shape{2, 3}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{11, 21, 31, 12, 22, 32}));
}

TEST(CpuElementwise, BroadcastMismatchNamesShapes) {
  Tensor a = tensor<float>({2, 3}, std::vector<float>(6, 0));
  Tensor b = tensor<float>({4}, std::vector<float>(4, 0));
  try {
    run1("Mul", {&a, &b});
    FAIL() << "expected a broadcast error";
  } catch (const KernelError& e) {
    EXPECT_NE(std::string(e.what()).find("[2,3]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[4]"), std::string::npos) << e.what();
  }
}

TEST(CpuElementwise, IntegerDivTruncatesAndModFollowsDivisorSign) {
  Tensor a = tensor<int32_t>({4}, {7, -7, 7, -7});
  Tensor b = tensor<int32_t>({4}, {2, 2, -2, -2});
  EXPECT_EQ(values<int32_t>(run1("Div", {&a, &b})), (std::vector<int32_t>{3, -3, -3, 3}));
  EXPECT_EQ(values<int32_t>(run1("Mod", {&a, &b})), (std::vector<int32_t>{1, 1, -1, -1}));
  Attrs fm;
  fm.set("fmod", 1);
  EXPECT_EQ(values<int32_t>(run1("Mod", {&a, &b}, fm)), (std::vector<int32_t>{1, -1, 1, -1}));
}

TEST(CpuElementwise, PowTakesExponentOfAnotherType) {
  Tensor x = tensor<float>({3}, {1, 2, 3});
  Tensor e = tensor<int64_t>({1}, {3});
  EXPECT_EQ(values<float>(run1("Pow", {&x, &e})), (std::vector<float>{1, 8, 27}));
}

TEST(CpuElementwise, ComparisonsProduceBool) {
  Tensor a = tensor<int64_t>({3}, {1, 5, 3});
  Tensor b = tensor<int64_t>({}, {3});
  Tensor y = run1("Greater", {&a, &b});
  EXPECT_EQ(y.dtype, DType::kBool);
  EXPECT_EQ(values<bool>(y), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(values<bool>(run1("LessOrEqual", {&a, &b})), (std::vector<bool>{true, false, true}));
}

TEST(CpuElementwise, VariadicMeanBroadcastsAllInputs) {
  Tensor a = tensor<float>({2}, {1, 2});
  Tensor b = tensor<float>({2, 1}, {10, 20});
  Tensor c = tensor<float>({}, {3});
  Tensor y = run1("Mean", {&a, &b, &c});
  EXPECT_EQ(y.shape, (Shape{2, 2}));
  expect_near(values<float>(y), {14.0f / 3, 5, 24.0f / 3, 25.0f / 3});
}

TEST(CpuElementwise, WhereSelectsWithBroadcast) {
  Tensor c = tensor<bool>({2, 1}, {true, false});
  Tensor x = tensor<float>({2}, {1, 2});
  Tensor y = tensor<float>({}, {-1});
  EXPECT_EQ(values<float>(run1("Where", {&c, &x, &y})), (std::vector<float>{1, 2, -1, -1}));
}

TEST(CpuElementwise, HalfInputsComputeInFloat) {
  Tensor a = Tensor::make(DType::kF16, {2});
  Tensor b = Tensor::make(DType::kF16, {2});
  a.as<uint16_t>()[0] = float_to_half(1.5f);
  a.as<uint16_t>()[1] = float_to_half(-2.0f);
  b.as<uint16_t>()[0] = float_to_half(0.25f);
  b.as<uint16_t>()[1] = float_to_half(4.0f);
  Tensor y = run1("Mul", {&a, &b});
  ASSERT_EQ(y.dtype, DType::kF16);
  EXPECT_EQ(half_to_float(y.as<uint16_t>()[0]), 0.375f);
  EXPECT_EQ(half_to_float(y.as<uint16_t>()[1]), -8.0f);
}

TEST(CpuElementwise, HalfConversionRoundsToNearestEven) {
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_half(1e6f), 0x7c00);              // overflow to inf
  EXPECT_EQ(float_to_half(5.960464477539063e-8f), 1);  // smallest subnormal
  EXPECT_EQ(half_to_float(0x0001), 5.960464477539063e-8f);
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048), 0x3c00);  // tie rounds to even
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(NAN))));
}

TEST(CpuElementwise, ActivationsMatchFormulas) {
  Tensor x = tensor<float>({4}, {-2, -0.5f, 0.5f, 3});
  expect_near(values<float>(run1("Relu", {&x})), {0, 0, 0.5f, 3});
  std::vector<float> sig;
  for (float v : {-2.0f, -0.5f, 0.5f, 3.0f}) sig.push_back(1 / (1 + std::exp(-v)));
  expect_near(values<float>(run1("Sigmoid", {&x})), sig);
  Attrs a;
  a.set("alpha", 0.1f);
  expect_near(values<float>(run1("LeakyRelu", {&x}, a)), {-0.2f, -0.05f, 0.5f, 3});
  expect_near(values<float>(run1("HardSwish", {&x})),
              {-2 * (1.0f / 6), -0.5f * (2.5f / 6), 0.5f * (3.5f / 6), 3});
  Tensor lo = tensor<float>({}, {-1}), hi = tensor<float>({}, {1});
  expect_near(values<float>(run1("Clip", {&x, &lo, &hi})), {-1, -0.5f, 0.5f, 1});
}

TEST(CpuElementwise, UnsupportedTypeIsReported) {
  NodeInfo n{"Sqrt", Attrs{}, {DType::kI32}, {DType::kI32}};
  std::string why = KernelRegistry::get().why_unsupported(n);
  EXPECT_NE(why.find("int32"), std::string::npos) << why;
  NodeInfo unknown{"NoSuchOp", Attrs{}, {}, {}};
  EXPECT_NE(KernelRegistry::get().why_unsupported(unknown).find("NoSuchOp"), std::string::npos);
}

}  // namespace
}  // namespace rnpu::cpu::test
