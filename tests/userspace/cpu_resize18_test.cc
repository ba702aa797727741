// Resize-18/19 on the reference kernel: antialias, axes,
// keep_aspect_ratio_policy and half_pixel_symmetric against values worked
// out by hand from the ONNX definitions, and the errors for attributes and
// inputs those versions let a model get wrong.
#include <cmath>

#include "cpu_test_util.h"

namespace rnpu::cpu::test {
namespace {

constexpr int kOpset = 19;

std::string resize_error(const std::vector<const Tensor*>& in, const Attrs& a) {
  try {
    run1("Resize", in, a, kOpset);
  } catch (const KernelError& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(CpuResize18, AntialiasLinearWidensTheFilterWhenDownsampling) {
  Tensor x = tensor<float>({4}, {0, 1, 2, 3});
  Tensor scales = tensor<float>({1}, {0.5f});
  Attrs a;
  a.set("mode", "linear").set("antialias", int64_t(1));
  // Source 0.5 and 2.5; the tent is 4 taps wide at scale 0.5, weights
  // 1/8, 3/8, 3/8, 1/8 (the left tap of the first clamps to index 0).
  expect_near(values<float>(run1("Resize", {&x, nullptr, &scales}, a, kOpset)), {0.625f, 2.375f});
  // Plain linear reads only the two neighbours.
  a.set("antialias", int64_t(0));
  expect_near(values<float>(run1("Resize", {&x, nullptr, &scales}, a, kOpset)), {0.5f, 2.5f});
}

TEST(CpuResize18, AntialiasIsTheNormalFilterWhenUpsampling) {
  Tensor x = tensor<float>({1, 1, 1, 2}, {0, 4});
  Tensor scales = tensor<float>({4}, {1, 1, 1, 2});
  for (const char* mode : {"linear", "cubic"}) {
    Attrs plain, aa;
    plain.set("mode", mode);
    aa.set("mode", mode).set("antialias", int64_t(1));
    expect_near(values<float>(run1("Resize", {&x, nullptr, &scales}, aa, kOpset)),
                values<float>(run1("Resize", {&x, nullptr, &scales}, plain, kOpset)));
  }
}

TEST(CpuResize18, AxesResizeOnlyTheListedAxes) {
  Tensor x = tensor<float>({2, 2}, {1, 2, 3, 4});
  Tensor scales = tensor<float>({1}, {2});
  Attrs a;
  a.set("coordinate_transformation_mode", "asymmetric").set("nearest_mode", "floor");
  a.set("axes", std::vector<int64_t>{-1});
  Tensor y = run1("Resize", {&x, nullptr, &scales}, a, kOpset);
  EXPECT_EQ(y.shape, (Shape{2, 4}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 1, 2, 2, 3, 3, 4, 4}));
  Tensor sizes = tensor<int64_t>({1}, {3});
  a.set("axes", std::vector<int64_t>{0});
  EXPECT_EQ(run1("Resize", {&x, nullptr, nullptr, &sizes}, a, kOpset).shape, (Shape{3, 2}));
}

TEST(CpuResize18, KeepAspectRatioPolicyScalesEveryAxisAlike) {
  Tensor x = tensor<float>({2, 4}, {0, 1, 2, 3, 4, 5, 6, 7});
  Tensor sizes = tensor<int64_t>({2}, {3, 3});
  Attrs a;
  // Ratios 1.5 and 0.75; sizes round halves up (0.75 * 2 = 1.5 -> 2).
  a.set("keep_aspect_ratio_policy", "not_larger");
  EXPECT_EQ(run1("Resize", {&x, nullptr, nullptr, &sizes}, a, kOpset).shape, (Shape{2, 3}));
  a.set("keep_aspect_ratio_policy", "not_smaller");
  EXPECT_EQ(run1("Resize", {&x, nullptr, nullptr, &sizes}, a, kOpset).shape, (Shape{3, 6}));
  a.set("keep_aspect_ratio_policy", "stretch");
  EXPECT_EQ(run1("Resize", {&x, nullptr, nullptr, &sizes}, a, kOpset).shape, (Shape{3, 3}));
}

TEST(CpuResize18, HalfPixelSymmetricCentresTheRoundedOutput) {
  Tensor x = tensor<float>({4}, {0, 1, 2, 3});
  Tensor scales = tensor<float>({1}, {0.6f});
  Attrs a;
  a.set("mode", "linear").set("coordinate_transformation_mode", "half_pixel_symmetric");
  // 4 * 0.6 = 2.4 rounds to 2 outputs: the sources shift by 2 * (1 - 2 / 2.4)
  // from half_pixel's 1/3 and 2.
  expect_near(values<float>(run1("Resize", {&x, nullptr, &scales}, a, kOpset)),
              {2.0f / 3, 7.0f / 3}, 1e-5f);
}

TEST(CpuResize18, UnknownModesAndPoliciesAreErrors) {
  Tensor x = tensor<float>({4}, {0, 1, 2, 3});
  Tensor scales = tensor<float>({1}, {2});
  auto bad = [&](const char* name, const char* value) {
    Attrs a;
    a.set(name, value);
    return resize_error({&x, nullptr, &scales}, a);
  };
  EXPECT_TRUE(has(bad("mode", "bilinear"), "mode 'bilinear'"));
  EXPECT_TRUE(has(bad("coordinate_transformation_mode", "half_pixel_mirror"), "half_pixel_mirror"));
  EXPECT_TRUE(has(bad("nearest_mode", "round"), "nearest_mode 'round'"));
  EXPECT_TRUE(has(bad("keep_aspect_ratio_policy", "fit"), "keep_aspect_ratio_policy 'fit'"));
  Attrs aa;
  aa.set("mode", "linear").set("antialias", int64_t(2));
  EXPECT_TRUE(has(resize_error({&x, nullptr, &scales}, aa), "antialias must be 0 or 1"));
}

TEST(CpuResize18, AxesAndLengthsAreChecked) {
  Tensor x = tensor<float>({2, 2}, {1, 2, 3, 4});
  Tensor one = tensor<float>({1}, {2});
  Tensor two = tensor<float>({2}, {2, 2});
  Attrs a;
  a.set("axes", std::vector<int64_t>{2});
  EXPECT_TRUE(has(resize_error({&x, nullptr, &one}, a), "outside rank 2"));
  a.set("axes", std::vector<int64_t>{1, -1});
  EXPECT_TRUE(has(resize_error({&x, nullptr, &two}, a), "listed twice"));
  a.set("axes", std::vector<int64_t>{1});
  EXPECT_TRUE(has(resize_error({&x, nullptr, &two}, a), "scales has 2 entries for 1 axes"));
  Tensor sizes = tensor<int64_t>({2}, {3, 3});
  EXPECT_TRUE(has(resize_error({&x, nullptr, nullptr, &sizes}, a), "sizes has 2 entries"));
  Tensor sizes1 = tensor<int64_t>({1}, {3});
  EXPECT_TRUE(has(resize_error({&x, nullptr, &one, &sizes1}, a), "not both"));
  // tf_crop_and_resize reads a start and an end per listed axis.
  Attrs crop = a;
  crop.set("coordinate_transformation_mode", "tf_crop_and_resize");
  Tensor roi4 = tensor<float>({4}, {0, 0, 1, 1});
  EXPECT_TRUE(has(resize_error({&x, &roi4, &one}, crop), "roi has 4 entries"));
  Tensor nan_roi = tensor<float>({2}, {0, std::nanf("")});
  EXPECT_TRUE(has(resize_error({&x, &nan_roi, &one}, crop), "roi is not finite"));
  Tensor roi2 = tensor<float>({2}, {0, 1});
  EXPECT_EQ(run1("Resize", {&x, &roi2, &one}, crop, kOpset).shape, (Shape{2, 4}));
}

TEST(CpuResize18, KeepAspectRatioCannotScaleAnEmptyAxis) {
  Tensor x = tensor<float>({0, 2}, {});
  Tensor sizes = tensor<int64_t>({2}, {3, 3});
  Attrs a;
  a.set("keep_aspect_ratio_policy", "not_smaller");
  EXPECT_TRUE(has(resize_error({&x, nullptr, nullptr, &sizes}, a), "empty axis 0"));
  Tensor neg = tensor<int64_t>({2}, {-1, 3});
  Tensor y = tensor<float>({2, 2}, {1, 2, 3, 4});
  EXPECT_TRUE(has(resize_error({&y, nullptr, nullptr, &neg}, a), "negative"));
}

}  // namespace
}  // namespace rnpu::cpu::test
