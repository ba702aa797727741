// Less common CPU kernels (losses, detection, signal, recurrent, Unique,
// Det) against hand-computed values.
#include <cmath>

#include "cpu_test_util.h"

namespace rnpu::cpu::test {
namespace {

TEST(CpuMisc, NllLossMeanWeightsAndIgnoreIndex) {
  // log-probabilities for 3 samples over 2 classes.
  Tensor x = tensor<float>({3, 2}, {-1, -2, -3, -4, -5, -6});
  Tensor t = tensor<int64_t>({3}, {1, 0, 1});
  Tensor w = tensor<float>({2}, {0.5f, 2});
  Attrs a;
  a.set("ignore_index", int64_t(0));
  // Sample 1 is ignored: (2*2 + 6*2) / (2 + 2) = 4.
  EXPECT_EQ(values<float>(run1("NegativeLogLikelihoodLoss", {&x, &t, &w}, a)),
            (std::vector<float>{4}));
  Attrs none;
  none.set("reduction", "none");
  EXPECT_EQ(values<float>(run1("NegativeLogLikelihoodLoss", {&x, &t}, none)),
            (std::vector<float>{2, 3, 6}));
}

TEST(CpuMisc, SoftmaxCrossEntropyOfUniformScores) {
  Tensor s = tensor<float>({2, 4}, std::vector<float>(8, 1.0f));
  Tensor l = tensor<int64_t>({2}, {0, 3});
  auto outs = run("SoftmaxCrossEntropyLoss", {&s, &l}, {}, 2);
  expect_near(values<float>(outs[0]), {std::log(4.0f)});
  expect_near(values<float>(outs[1]), std::vector<float>(8, -std::log(4.0f)));
}

TEST(CpuMisc, NonMaxSuppressionKeepsBestNonOverlapping) {
  // Boxes as [y1, x1, y2, x2]: 0 and 1 overlap heavily, 2 is apart.
  Tensor boxes = tensor<float>({1, 3, 4}, {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 5, 5, 6, 6});
  Tensor scores = tensor<float>({1, 1, 3}, {0.8f, 0.9f, 0.3f});
  Tensor maxn = tensor<int64_t>({1}, {10});
  Tensor iou = tensor<float>({1}, {0.5f});
  Tensor y = run1("NonMaxSuppression", {&boxes, &scores, &maxn, &iou});
  EXPECT_EQ(y.shape, (Shape{2, 3}));
  EXPECT_EQ(values<int64_t>(y), (std::vector<int64_t>{0, 0, 1, 0, 0, 2}));
}

TEST(CpuMisc, DetAndUnique) {
  Tensor m = tensor<float>({2, 2, 2}, {1, 2, 3, 4, 2, 0, 0, 3});
  expect_near(values<float>(run1("Det", {&m})), {-2, 6});
  Tensor x = tensor<int64_t>({6}, {3, 1, 3, 2, 1, 3});
  auto outs = run("Unique", {&x}, {}, 4);
  EXPECT_EQ(values<int64_t>(outs[0]), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(values<int64_t>(outs[1]), (std::vector<int64_t>{1, 3, 0}));
  EXPECT_EQ(values<int64_t>(outs[2]), (std::vector<int64_t>{2, 0, 2, 1, 0, 2}));
  EXPECT_EQ(values<int64_t>(outs[3]), (std::vector<int64_t>{2, 1, 3}));
}

TEST(CpuMisc, HannWindowAndRealDft) {
  Tensor n = tensor<int64_t>({}, {4});
  expect_near(values<float>(run1("HannWindow", {&n})), {0, 0.5f, 1, 0.5f});
  // DFT of [1, 0, 0, 0] is all ones; of [1, 1, 1, 1] is [4, 0, 0, 0].
  Tensor s = tensor<float>({2, 4, 1}, {1, 0, 0, 0, 1, 1, 1, 1});
  Tensor y = run1("DFT", {&s});
  EXPECT_EQ(y.shape, (Shape{2, 4, 2}));
  expect_near(values<float>(y), {1, 0, 1, 0, 1, 0, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0});
}

TEST(CpuMisc, SimpleRnnStep) {
  // hidden 1, input 1: h1 = tanh(w*x1 + r*h0 + b), h2 = tanh(w*x2 + r*h1 + b).
  Tensor x = tensor<float>({2, 1, 1}, {1, 2});
  Tensor w = tensor<float>({1, 1, 1}, {0.5f});
  Tensor r = tensor<float>({1, 1, 1}, {0.25f});
  Tensor b = tensor<float>({1, 2}, {0.1f, 0});
  Attrs a;
  a.set("hidden_size", int64_t(1));
  auto outs = run("RNN", {&x, &w, &r, &b}, a, 2);
  float h1 = std::tanh(0.5f + 0.1f), h2 = std::tanh(1.0f + 0.25f * h1 + 0.1f);
  EXPECT_EQ(outs[0].shape, (Shape{2, 1, 1, 1}));
  expect_near(values<float>(outs[0]), {h1, h2});
  expect_near(values<float>(outs[1]), {h2});
}

}  // namespace
}  // namespace rnpu::cpu::test
