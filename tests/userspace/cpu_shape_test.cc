// Data-movement CPU kernels against hand-computed results.
#include "cpu_test_util.h"

namespace rnpu::cpu::test {
namespace {

TEST(CpuShape, ReshapeCopiesZeroAndInfersMinusOne) {
  Tensor x = tensor<float>({2, 3, 4}, ramp(24));
  Tensor s = tensor<int64_t>({3}, {0, -1, 2});
  Tensor y = run1("Reshape", {&x, &s});
  EXPECT_EQ(y.shape, (Shape{2, 6, 2}));
  EXPECT_EQ(values<float>(y), values<float>(x));
  Tensor bad = tensor<int64_t>({2}, {5, -1});
  EXPECT_THROW(run1("Reshape", {&x, &bad}), KernelError);
}

TEST(CpuShape, TransposeMatchesIndexLoop) {
  Tensor x = tensor<int32_t>({2, 3, 4}, [] {
    std::vector<int32_t> v(24);
    for (int i = 0; i < 24; ++i) v[size_t(i)] = i;
    return v;
  }());
  Attrs a;
  a.set("perm", std::vector<int64_t>{2, 0, 1});
  Tensor y = run1("Transpose", {&x}, a);
  ASSERT_EQ(y.shape, (Shape{4, 2, 3}));
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        EXPECT_EQ(y.as<int32_t>()[(k * 2 + i) * 3 + j], (i * 3 + j) * 4 + k);
}

TEST(CpuShape, SliceWithNegativeStepAndClamping) {
  Tensor x = tensor<float>({2, 5}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor st = tensor<int64_t>({1}, {-1}), en = tensor<int64_t>({1}, {-100});
  Tensor ax = tensor<int64_t>({1}, {1}), sp = tensor<int64_t>({1}, {-2});
  Tensor y = run1("Slice", {&x, &st, &en, &ax, &sp});
  EXPECT_EQ(y.shape, (Shape{2, 3}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{4, 2, 0, 9, 7, 5}));
}

TEST(CpuShape, ConcatAndSplitRoundTrip) {
  Tensor a = tensor<float>({2, 1}, {1, 2});
  Tensor b = tensor<float>({2, 2}, {3, 4, 5, 6});
  Attrs ax;
  ax.set("axis", 1);
  Tensor c = run1("Concat", {&a, &b}, ax);
  EXPECT_EQ(values<float>(c), (std::vector<float>{1, 3, 4, 2, 5, 6}));
  Tensor parts = tensor<int64_t>({2}, {1, 2});
  auto outs = run("Split", {&c, &parts}, ax, 2, 13);
  EXPECT_EQ(values<float>(outs[0]), values<float>(a));
  EXPECT_EQ(values<float>(outs[1]), values<float>(b));
}

TEST(CpuShape, PadModes) {
  Tensor x = tensor<float>({3}, {1, 2, 3});
  Tensor pads = tensor<int64_t>({2}, {2, 1});
  Tensor cv = tensor<float>({}, {9});
  EXPECT_EQ(values<float>(run1("Pad", {&x, &pads, &cv})), (std::vector<float>{9, 9, 1, 2, 3, 9}));
  Attrs r;
  r.set("mode", "reflect");
  EXPECT_EQ(values<float>(run1("Pad", {&x, &pads}, r)), (std::vector<float>{3, 2, 1, 2, 3, 2}));
  Attrs e;
  e.set("mode", "edge");
  EXPECT_EQ(values<float>(run1("Pad", {&x, &pads}, e)), (std::vector<float>{1, 1, 1, 2, 3, 3}));
}

TEST(CpuShape, GatherNegativeIndicesAndOutOfRange) {
  Tensor x = tensor<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor idx = tensor<int64_t>({2}, {-1, 0});
  EXPECT_EQ(values<float>(run1("Gather", {&x, &idx})), (std::vector<float>{5, 6, 1, 2}));
  Tensor bad = tensor<int64_t>({1}, {3});
  EXPECT_THROW(run1("Gather", {&x, &bad}), KernelError);
}

TEST(CpuShape, TileExpandAndTopK) {
  Tensor x = tensor<float>({2}, {1, 2});
  Tensor rep = tensor<int64_t>({1}, {3});
  EXPECT_EQ(values<float>(run1("Tile", {&x, &rep})), (std::vector<float>{1, 2, 1, 2, 1, 2}));
  Tensor shape = tensor<int64_t>({2}, {2, 1});
  Tensor e = run1("Expand", {&x, &shape});
  EXPECT_EQ(e.shape, (Shape{2, 2}));
  Tensor v = tensor<float>({5}, {3, 1, 4, 1, 5});
  Tensor k = tensor<int64_t>({1}, {3});
  auto outs = run("TopK", {&v, &k}, {}, 2);
  EXPECT_EQ(values<float>(outs[0]), (std::vector<float>{5, 4, 3}));
  EXPECT_EQ(values<int64_t>(outs[1]), (std::vector<int64_t>{4, 2, 0}));
}

TEST(CpuShape, CastSaturatesAndNarrowsToHalf) {
  Tensor x = tensor<float>({3}, {300.7f, -5.5f, 1.0f});
  Attrs to8;
  to8.set("to", int64_t(DType::kU8));
  EXPECT_EQ(values<uint8_t>(run1("Cast", {&x}, to8)), (std::vector<uint8_t>{255, 0, 1}));
  Attrs to16;
  to16.set("to", int64_t(DType::kF16));
  Tensor h = run1("Cast", {&x}, to16);
  EXPECT_EQ(h.dtype, DType::kF16);
  EXPECT_EQ(half_to_float(h.as<uint16_t>()[2]), 1.0f);
}

TEST(CpuShape, NonZeroIsDataDependent) {
  Tensor x = tensor<int32_t>({2, 2}, {0, 3, 4, 0});
  Tensor y = run1("NonZero", {&x});
  EXPECT_EQ(y.shape, (Shape{2, 2}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0, 1, 1, 0}));
}

}  // namespace
}  // namespace rnpu::cpu::test
