// Reference kernels of operators added or changed in opsets 18 to 20: the
// errors for sizes and attributes a model or caller can get wrong (the ONNX
// node tests cover only valid inputs), and small cases worked out by hand.
#include "cpu_test_util.h"

namespace rnpu::cpu::test {
namespace {

std::string error_of(const std::string& op, const std::vector<const Tensor*>& in,
                     const Attrs& a = {}, int opset = 20) {
  try {
    run1(op, in, a, opset);
  } catch (const KernelError& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(CpuCol2Im, OverlappingBlocksAddUp) {
  // One channel, 1x2 blocks with stride 1 over a 1x3 image: the middle
  // pixel receives one value from each of the two blocks.
  Tensor x = tensor<float>({1, 2, 2}, {1, 2, 10, 20});
  Tensor image = tensor<int64_t>({2}, {1, 3});
  Tensor block = tensor<int64_t>({2}, {1, 2});
  Tensor y = run1("Col2Im", {&x, &image, &block});
  EXPECT_EQ(y.shape, (Shape{1, 1, 1, 3}));
  expect_near(values<float>(y), {1, 12, 20});
}

TEST(CpuCol2Im, RefusesInconsistentSizes) {
  Tensor x = tensor<float>({1, 2, 2}, {1, 2, 3, 4});
  Tensor image = tensor<int64_t>({2}, {1, 3});
  Tensor block = tensor<int64_t>({2}, {1, 2});
  Tensor wrong_block = tensor<int64_t>({2}, {1, 3});
  EXPECT_TRUE(has(error_of("Col2Im", {&x, &image, &wrong_block}), "not a multiple"));
  Tensor four = tensor<int64_t>({2}, {1, 4});
  EXPECT_TRUE(has(error_of("Col2Im", {&x, &four, &block}), "sliding blocks"));
  Tensor zero = tensor<int64_t>({2}, {1, 0});
  EXPECT_TRUE(has(error_of("Col2Im", {&x, &image, &zero}), "block_shape value out of range"));
  Tensor huge = tensor<int64_t>({2}, {1, INT64_MAX});
  EXPECT_TRUE(has(error_of("Col2Im", {&x, &huge, &block}), "image_shape value out of range"));
  Attrs big_dil;
  big_dil.set("dilations", std::vector<int64_t>{1, int64_t(1) << 40});
  Tensor big_block = tensor<int64_t>({2}, {1, int64_t(1) << 30});
  EXPECT_FALSE(error_of("Col2Im", {&x, &image, &big_block}, big_dil).empty());
  Attrs short_pads;
  short_pads.set("pads", std::vector<int64_t>{0, 0});
  EXPECT_TRUE(has(error_of("Col2Im", {&x, &image, &block}, short_pads), "pads has 2 entries"));
  Tensor one_d = tensor<int64_t>({1}, {3});
  EXPECT_TRUE(has(error_of("Col2Im", {&x, &image, &one_d}), "same non-zero length"));
  Tensor flat = tensor<float>({4}, {1, 2, 3, 4});
  EXPECT_TRUE(has(error_of("Col2Im", {&flat, &image, &block}), "must be [N"));
}

TEST(CpuCenterCropPad, CropsAndPadsAroundTheCentre) {
  Tensor x = tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor shape = tensor<int64_t>({2}, {4, 2});
  Tensor y = run1("CenterCropPad", {&x, &shape}, {}, 18);
  EXPECT_EQ(y.shape, (Shape{4, 2}));
  // Rows padded by one on each side; columns cropped from 3 to 2, the odd
  // element dropped at the end.
  expect_near(values<float>(y), {0, 0, 1, 2, 4, 5, 0, 0});
}

TEST(CpuCenterCropPad, RefusesBadAxesAndLengths) {
  Tensor x = tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor two = tensor<int64_t>({2}, {1, 1});
  Tensor one = tensor<int64_t>({1}, {1});
  EXPECT_TRUE(has(error_of("CenterCropPad", {&x, &one}), "1 entries for 2 axes"));
  Attrs far;
  far.set("axes", std::vector<int64_t>{0, 2});
  EXPECT_TRUE(has(error_of("CenterCropPad", {&x, &two}, far), "out of range"));
  Attrs twice;
  twice.set("axes", std::vector<int64_t>{1, -1});
  EXPECT_TRUE(has(error_of("CenterCropPad", {&x, &two}, twice), "repeated"));
  Tensor negative = tensor<int64_t>({2}, {1, -1});
  EXPECT_TRUE(has(error_of("CenterCropPad", {&x, &negative}), "target length"));
}

TEST(CpuAffineGrid, IdentityThetaGivesTheBaseGrid) {
  Tensor theta = tensor<float>({1, 2, 3}, {1, 0, 0, 0, 1, 0});
  Tensor size = tensor<int64_t>({4}, {1, 1, 1, 2});
  Attrs align;
  align.set("align_corners", int64_t(1));
  // (x, y) pairs: x spans [-1, 1] at the corners, y of a single row is -1.
  expect_near(values<float>(run1("AffineGrid", {&theta, &size}, align)), {-1, -1, 1, -1});
  // Without align_corners the pixel centres are used.
  expect_near(values<float>(run1("AffineGrid", {&theta, &size})), {-0.5f, 0, 0.5f, 0});
}

TEST(CpuAffineGrid, RefusesMismatchedThetaAndSize) {
  Tensor theta = tensor<float>({1, 2, 3}, {1, 0, 0, 0, 1, 0});
  Tensor size3d = tensor<int64_t>({5}, {1, 1, 2, 2, 2});
  EXPECT_TRUE(has(error_of("AffineGrid", {&theta, &size3d}), "must be [N, 3, 4]"));
  Tensor batch2 = tensor<int64_t>({4}, {2, 1, 2, 2});
  EXPECT_TRUE(has(error_of("AffineGrid", {&theta, &batch2}), "differs from size N"));
  Tensor neg = tensor<int64_t>({4}, {1, 1, -2, 2});
  EXPECT_TRUE(has(error_of("AffineGrid", {&theta, &neg}), "negative"));
  Tensor three = tensor<int64_t>({3}, {1, 1, 2});
  EXPECT_TRUE(has(error_of("AffineGrid", {&theta, &three}), "(N, C, H, W)"));
}

TEST(CpuReduce20, MaxAndMinOfBoolAreAnyAndAll) {
  Tensor x = tensor<bool>({2, 2}, {true, false, false, false});
  Tensor axes = tensor<int64_t>({1}, {1});
  Attrs flat;
  flat.set("keepdims", int64_t(0));
  EXPECT_EQ(values<bool>(run1("ReduceMax", {&x, &axes}, flat)), (std::vector<bool>{true, false}));
  EXPECT_EQ(values<bool>(run1("ReduceMin", {&x, &axes}, flat)), (std::vector<bool>{false, false}));
}

TEST(CpuMish, MatchesItsDefinitionAndStaysFiniteForLargeInputs) {
  Tensor x = tensor<float>({3}, {-1, 0, 100});
  expect_near(values<float>(run1("Mish", {&x}, {}, 18)), {-0.30340147f, 0, 100});
}

TEST(CpuGroupNorm, ScaleAndBiasArePerGroupBeforeOpset21AndPerChannelAfter) {
  // Two channels in one group: the group's values -1, 1, -1, 1 normalise
  // to themselves (mean 0, variance 1; epsilon 0 keeps them exact).
  Tensor x = tensor<float>({1, 2, 2}, {-1, 1, -1, 1});
  Attrs a;
  a.set("num_groups", int64_t(1)).set("epsilon", 0.0f);
  Tensor s1 = tensor<float>({1}, {2}), b1 = tensor<float>({1}, {1});
  expect_near(values<float>(run1("GroupNormalization", {&x, &s1, &b1}, a, 18)), {-1, 3, -1, 3});
  Tensor s2 = tensor<float>({2}, {2, 3}), b2 = tensor<float>({2}, {0, 10});
  expect_near(values<float>(run1("GroupNormalization", {&x, &s2, &b2}, a, 21)), {-2, 2, 7, 13});
  // The other version's layout is refused, not misread.
  EXPECT_TRUE(has(error_of("GroupNormalization", {&x, &s2, &b2}, a, 18), "one per group"));
  EXPECT_TRUE(has(error_of("GroupNormalization", {&x, &s1, &b1}, a, 21), "one per channel"));
  Attrs three;
  three.set("num_groups", int64_t(3));
  EXPECT_TRUE(has(error_of("GroupNormalization", {&x, &s2, &b2}, three, 21), "must divide"));
}

TEST(CpuDeformConv, ZeroOffsetsAreAPlainConvolution) {
  Tensor x = tensor<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor w = tensor<float>({1, 1, 1, 1}, {2});
  Tensor zero = tensor<float>({1, 2, 2, 2}, std::vector<float>(8, 0));
  expect_near(values<float>(run1("DeformConv", {&x, &w, &zero}, {}, 19)), {2, 4, 6, 8});
  // Half a pixel along x interpolates; beyond the image reads zero.
  Tensor half = tensor<float>({1, 2, 2, 2}, {0, 0, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f});
  expect_near(values<float>(run1("DeformConv", {&x, &w, &half}, {}, 19)), {3, 2, 7, 4});
}

TEST(CpuDeformConv, RefusesInconsistentShapes) {
  Tensor x = tensor<float>({1, 2, 2, 2}, std::vector<float>(8, 1));
  Tensor w = tensor<float>({1, 2, 1, 1}, {1, 1});
  Tensor offset = tensor<float>({1, 2, 2, 2}, std::vector<float>(8, 0));
  Tensor short_offset = tensor<float>({1, 1, 2, 2}, std::vector<float>(4, 0));
  EXPECT_TRUE(has(error_of("DeformConv", {&x, &w, &short_offset}, {}, 19), "offset"));
  Tensor mask = tensor<float>({1, 2, 2, 2}, std::vector<float>(8, 1));
  EXPECT_TRUE(has(error_of("DeformConv", {&x, &w, &offset, nullptr, &mask}, {}, 19), "mask"));
  Tensor bias = tensor<float>({2}, {0, 0});
  EXPECT_TRUE(has(error_of("DeformConv", {&x, &w, &offset, &bias}, {}, 19), "bias"));
  Attrs groups;
  groups.set("offset_group", int64_t(3));
  EXPECT_TRUE(has(error_of("DeformConv", {&x, &w, &offset}, groups, 19), "offset_group"));
  Attrs dil;
  dil.set("dilations", std::vector<int64_t>{1, INT64_MAX});
  EXPECT_TRUE(has(error_of("DeformConv", {&x, &w, &offset}, dil, 19), "out of range"));
}

TEST(CpuGridSample20, SamplesVolumesAndNamesModesTheNewWay) {
  // A 1x2x2 volume; grid points at the corners with align_corners give the
  // voxels themselves, the centre their mean.
  Tensor x = tensor<float>({1, 1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor grid = tensor<float>({1, 1, 1, 2, 3}, {-1, -1, -1, 0, 0, 0});
  Attrs a;
  a.set("mode", "linear").set("align_corners", int64_t(1));
  expect_near(values<float>(run1("GridSample", {&x, &grid}, a, 20)), {1, 2.5f});
  EXPECT_TRUE(has(error_of("GridSample", {&x, &grid}, a, 16), "2-D images only"));
  Attrs bad;
  bad.set("mode", "trilinear");
  EXPECT_TRUE(has(error_of("GridSample", {&x, &grid}, bad, 20), "not one of"));
  Tensor grid2d = tensor<float>({1, 1, 2, 2}, {0, 0, 0, 0});
  EXPECT_TRUE(has(error_of("GridSample", {&x, &grid2d}, a, 20), "grid [N, O1..Or, r]"));
}

TEST(CpuDft20, AxisAndLengthAreInputs) {
  // A real signal along axis 1 of [1, 2, 2, 1]: the default axis -2 is the
  // last signal axis (2), axis input 1 the other.
  Tensor x = tensor<float>({1, 2, 2, 1}, {1, 2, 3, 4});
  Tensor y = run1("DFT", {&x}, {}, 20);
  expect_near(values<float>(y), {3, 0, -1, 0, 7, 0, -1, 0});
  Tensor axis = tensor<int64_t>({}, {1});
  y = run1("DFT", {&x, nullptr, &axis}, {}, 20);
  expect_near(values<float>(y), {4, 0, 6, 0, -2, 0, -2, 0});
  Tensor last = tensor<int64_t>({}, {3});
  EXPECT_TRUE(has(error_of("DFT", {&x, nullptr, &last}), "out of range"));
  Tensor two = tensor<int64_t>({2}, {1, 2});
  EXPECT_TRUE(has(error_of("DFT", {&x, nullptr, &two}), "scalar"));
}

TEST(CpuDft20, InverseOnesidedIsTheRealInverse) {
  // The one-sided spectrum of (1, 2, 3, 4) is (10, -2+2i, -2); the IRFFT
  // recovers the signal with the default length 2 * (3 - 1).
  Tensor spec = tensor<float>({1, 3, 2}, {10, 0, -2, 2, -2, 0});
  Attrs a;
  a.set("inverse", int64_t(1)).set("onesided", int64_t(1));
  Tensor y = run1("DFT", {&spec}, a, 20);
  EXPECT_EQ(y.shape, (Shape{1, 4, 1}));
  expect_near(values<float>(y), {1, 2, 3, 4});
}

}  // namespace
}  // namespace rnpu::cpu::test
