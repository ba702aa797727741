// Convolution, matrix, pooling, normalization and resize kernels against
// naive loops written straight from the ONNX definitions.
#include <cmath>

#include "cpu_test_util.h"

namespace rnpu::cpu::test {
namespace {

struct ConvCase {
  int64_t n, c, h, w, m, k, stride, pad, dil, group;
};

// Direct 2-D convolution, one output element at a time.
std::vector<float> naive_conv(const ConvCase& p, const std::vector<float>& x,
                              const std::vector<float>& wt, const std::vector<float>& b, int64_t oh,
                              int64_t ow) {
  std::vector<float> y(size_t(p.n * p.m * oh * ow));
  int64_t cg = p.c / p.group, mg = p.m / p.group;
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t m = 0; m < p.m; ++m)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double acc = b[size_t(m)];
          int64_t g = m / mg;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t u = 0; u < p.k; ++u)
              for (int64_t v = 0; v < p.k; ++v) {
                int64_t yy = i * p.stride - p.pad + u * p.dil,
                        xx = j * p.stride - p.pad + v * p.dil;
                if (yy < 0 || yy >= p.h || xx < 0 || xx >= p.w) continue;
                acc += double(x[size_t(((n * p.c + g * cg + c) * p.h + yy) * p.w + xx)]) *
                       wt[size_t(((m * cg + c) * p.k + u) * p.k + v)];
              }
          y[size_t(((n * p.m + m) * oh + i) * ow + j)] = float(acc);
        }
  return y;
}

class CpuConv : public ::testing::TestWithParam<ConvCase> {};

TEST_P(CpuConv, MatchesDirectLoop) {
  ConvCase p = GetParam();
  Tensor x = tensor<float>({p.n, p.c, p.h, p.w}, ramp(size_t(p.n * p.c * p.h * p.w), 1));
  Tensor w = tensor<float>({p.m, p.c / p.group, p.k, p.k},
                           ramp(size_t(p.m * p.c / p.group * p.k * p.k), 2));
  Tensor b = tensor<float>({p.m}, ramp(size_t(p.m), 3));
  Attrs a;
  a.set("strides", std::vector<int64_t>{p.stride, p.stride});
  a.set("pads", std::vector<int64_t>{p.pad, p.pad, p.pad, p.pad});
  a.set("dilations", std::vector<int64_t>{p.dil, p.dil});
  a.set("group", p.group);
  Tensor y = run1("Conv", {&x, &w, &b}, a);
  int64_t ek = (p.k - 1) * p.dil + 1;
  int64_t oh = (p.h + 2 * p.pad - ek) / p.stride + 1, ow = (p.w + 2 * p.pad - ek) / p.stride + 1;
  ASSERT_EQ(y.shape, (Shape{p.n, p.m, oh, ow}));
  expect_near(values<float>(y),
              naive_conv(p, values<float>(x), values<float>(w), values<float>(b), oh, ow), 1e-4f);
}

INSTANTIATE_TEST_SUITE_P(Shapes, CpuConv,
                         ::testing::Values(ConvCase{1, 3, 7, 6, 4, 3, 1, 1, 1, 1},
                                           ConvCase{2, 4, 9, 9, 6, 3, 2, 0, 1, 2},
                                           ConvCase{1, 8, 8, 8, 8, 3, 1, 1, 1, 8},  // depthwise
                                           ConvCase{1, 2, 10, 10, 3, 3, 1, 2, 2, 1},
                                           ConvCase{1, 5, 4, 4, 7, 1, 1, 0, 1, 1}));

TEST(CpuConvTranspose, MatchesScatterLoop) {
  // x [1,2,3,3], w [2,3,3,3] (C_in, C_out, k, k), stride 2, pad 1.
  int64_t ci = 2, co = 3, h = 3, k = 3, s = 2, pad = 1;
  Tensor x = tensor<float>({1, ci, h, h}, ramp(size_t(ci * h * h), 4));
  Tensor w = tensor<float>({ci, co, k, k}, ramp(size_t(ci * co * k * k), 5));
  Attrs a;
  a.set("strides", std::vector<int64_t>{s, s});
  a.set("pads", std::vector<int64_t>{pad, pad, pad, pad});
  Tensor y = run1("ConvTranspose", {&x, &w}, a);
  int64_t oh = s * (h - 1) + k - 2 * pad;
  ASSERT_EQ(y.shape, (Shape{1, co, oh, oh}));
  std::vector<double> want(size_t(co * oh * oh), 0);
  std::vector<float> xv = values<float>(x), wv = values<float>(w);
  for (int64_t c = 0; c < ci; ++c)
    for (int64_t i = 0; i < h; ++i)
      for (int64_t j = 0; j < h; ++j)
        for (int64_t m = 0; m < co; ++m)
          for (int64_t u = 0; u < k; ++u)
            for (int64_t v = 0; v < k; ++v) {
              int64_t yy = i * s - pad + u, xx = j * s - pad + v;
              if (yy < 0 || yy >= oh || xx < 0 || xx >= oh) continue;
              want[size_t((m * oh + yy) * oh + xx)] += double(xv[size_t((c * h + i) * h + j)]) *
                                                       wv[size_t(((c * co + m) * k + u) * k + v)];
            }
  expect_near(values<float>(y), std::vector<float>(want.begin(), want.end()), 1e-4f);
}

TEST(CpuMatMul, BatchBroadcastMatchesLoop) {
  Tensor a = tensor<float>({2, 1, 3, 4}, ramp(24, 6));
  Tensor b = tensor<float>({3, 4, 5}, ramp(60, 7));
  Tensor y = run1("MatMul", {&a, &b});
  ASSERT_EQ(y.shape, (Shape{2, 3, 3, 5}));
  std::vector<float> av = values<float>(a), bv = values<float>(b), want;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t r = 0; r < 3; ++r)
        for (int64_t c = 0; c < 5; ++c) {
          double acc = 0;
          for (int64_t k = 0; k < 4; ++k)
            acc += double(av[size_t((i * 3 + r) * 4 + k)]) * bv[size_t((j * 4 + k) * 5 + c)];
          want.push_back(float(acc));
        }
  expect_near(values<float>(y), want);
}

TEST(CpuMatMul, GemmTransposesScalesAndAddsC) {
  Tensor a = tensor<float>({3, 2}, {1, 2, 3, 4, 5, 6});  // A^T is 2x3
  Tensor b = tensor<float>({2, 3}, {1, 0, 2, 0, 1, 3});  // B^T is 3x2
  Tensor c = tensor<float>({2}, {100, 200});
  Attrs at;
  at.set("transA", 1).set("transB", 1).set("alpha", 2.0f).set("beta", 0.5f);
  // A^T = [[1,3,5],[2,4,6]], B^T = [[1,0],[0,1],[2,3]] -> [[11,18],[14,22]]
  Tensor y = run1("Gemm", {&a, &b, &c}, at);
  EXPECT_EQ(values<float>(y), (std::vector<float>{72, 136, 78, 144}));
}

TEST(CpuMatMul, QLinearMatMulRequantizes) {
  Tensor a = tensor<uint8_t>({1, 2}, {130, 126});
  Tensor as = tensor<float>({}, {0.5f}), azp = tensor<uint8_t>({}, {128});
  Tensor b = tensor<uint8_t>({2, 1}, {132, 124});
  Tensor bs = tensor<float>({}, {0.25f}), bzp = tensor<uint8_t>({}, {128});
  Tensor ys = tensor<float>({}, {0.125f}), yzp = tensor<uint8_t>({}, {10});
  // real a = [1, -1], real b = [1, -1] -> 2.0 -> 2/0.125 + 10 = 26
  Tensor y = run1("QLinearMatMul", {&a, &as, &azp, &b, &bs, &bzp, &ys, &yzp});
  EXPECT_EQ(values<uint8_t>(y), (std::vector<uint8_t>{26}));
}

TEST(CpuPool, MaxAndAveragePoolWithPadding) {
  Tensor x = tensor<float>({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Attrs a;
  a.set("kernel_shape", std::vector<int64_t>{2, 2});
  a.set("pads", std::vector<int64_t>{1, 1, 0, 0});
  a.set("strides", std::vector<int64_t>{2, 2});
  EXPECT_EQ(values<float>(run1("MaxPool", {&x}, a)), (std::vector<float>{1, 3, 7, 9}));
  // count_include_pad=0 averages only real elements.
  expect_near(values<float>(run1("AveragePool", {&x}, a)), {1, 2.5f, 5.5f, 7});
  a.set("count_include_pad", 1);
  expect_near(values<float>(run1("AveragePool", {&x}, a)), {0.25f, 1.25f, 2.75f, 7});
}

TEST(CpuPool, GlobalAverageKeepsRank) {
  Tensor x = tensor<float>({1, 2, 2, 2}, {1, 2, 3, 4, 10, 20, 30, 40});
  Tensor y = run1("GlobalAveragePool", {&x});
  EXPECT_EQ(y.shape, (Shape{1, 2, 1, 1}));
  expect_near(values<float>(y), {2.5f, 25});
}

TEST(CpuNorm, SoftmaxAlongAxisAndLegacyFlatten) {
  Tensor x = tensor<float>({2, 2}, {0, 1, 2, 4});
  Attrs a;
  a.set("axis", 0);
  float e2 = std::exp(2.0f), e3 = std::exp(3.0f);
  expect_near(values<float>(run1("Softmax", {&x}, a)),
              {1 / (1 + e2), 1 / (1 + e3), e2 / (1 + e2), e3 / (1 + e3)});
  // Opset 11 flattens from the axis: axis 0 means one softmax over all 4.
  float s = 1 + std::exp(1.0f) + e2 + std::exp(4.0f);
  expect_near(values<float>(run1("Softmax", {&x}, a, 11)),
              {1 / s, std::exp(1.0f) / s, e2 / s, std::exp(4.0f) / s});
}

TEST(CpuNorm, LayerNormMatchesLoop) {
  Tensor x = tensor<float>({2, 4}, {1, 2, 3, 4, -1, 0, 1, 6});
  Tensor g = tensor<float>({4}, {1, 2, 1, 0.5f});
  Tensor b = tensor<float>({4}, {0, 1, 0, -1});
  Tensor y = run1("LayerNormalization", {&x, &g, &b});
  std::vector<float> xv = values<float>(x), want;
  for (int r = 0; r < 2; ++r) {
    double m = 0, v = 0;
    for (int i = 0; i < 4; ++i) m += xv[size_t(r * 4 + i)] / 4.0;
    for (int i = 0; i < 4; ++i) v += std::pow(xv[size_t(r * 4 + i)] - m, 2) / 4.0;
    for (int i = 0; i < 4; ++i)
      want.push_back(float((xv[size_t(r * 4 + i)] - m) / std::sqrt(v + 1e-5) * g.as<float>()[i] +
                           b.as<float>()[i]));
  }
  expect_near(values<float>(y), want);
}

TEST(CpuNorm, BatchNormInference) {
  Tensor x = tensor<float>({1, 2, 1, 2}, {1, 2, 3, 4});
  Tensor s = tensor<float>({2}, {2, 1}), b = tensor<float>({2}, {0, 1});
  Tensor m = tensor<float>({2}, {1, 3}), v = tensor<float>({2}, {4, 1});
  Attrs a;
  a.set("epsilon", 0.0f);
  expect_near(values<float>(run1("BatchNormalization", {&x, &s, &b, &m, &v}, a)), {0, 1, 1, 2});
}

TEST(CpuReduce, AxesKeepdimsAndArgMax) {
  Tensor x = tensor<float>({2, 3}, {1, 5, 2, 7, 0, 3});
  Attrs a;
  a.set("axes", std::vector<int64_t>{1});
  a.set("keepdims", 0);
  EXPECT_EQ(values<float>(run1("ReduceSum", {&x}, a, 11)), (std::vector<float>{8, 10}));
  EXPECT_EQ(values<float>(run1("ReduceMax", {&x}, a, 11)), (std::vector<float>{5, 7}));
  Tensor axes = tensor<int64_t>({1}, {0});
  Attrs k;
  Tensor y = run1("ReduceSum", {&x, &axes}, k, 13);
  EXPECT_EQ(y.shape, (Shape{1, 3}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{8, 5, 5}));
  Attrs am;
  am.set("axis", 1);
  EXPECT_EQ(values<int64_t>(run1("ArgMax", {&x}, am)), (std::vector<int64_t>{1, 0}));
  expect_near(values<float>(run1("ReduceL2", {&x}, a, 11)), {std::sqrt(30.0f), std::sqrt(58.0f)});
}

TEST(CpuResize, LinearHalfPixelAndNearestAsymmetric) {
  Tensor x = tensor<float>({1, 1, 1, 2}, {0, 4});
  Tensor roi = tensor<float>({0}, {});
  Tensor scales = tensor<float>({4}, {1, 1, 1, 2});
  Attrs lin;
  lin.set("mode", "linear");
  // half_pixel: out x -> (x+0.5)/2-0.5 = -0.25, 0.25, 0.75, 1.25 (edges clamp)
  expect_near(values<float>(run1("Resize", {&x, &roi, &scales}, lin)), {0, 1, 3, 4});
  Attrs nn;
  nn.set("mode", "nearest").set("coordinate_transformation_mode", "asymmetric");
  nn.set("nearest_mode", "floor");
  expect_near(values<float>(run1("Resize", {&x, &roi, &scales}, nn)), {0, 0, 4, 4});
}

}  // namespace
}  // namespace rnpu::cpu::test
