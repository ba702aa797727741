// Every op of the golden model against references computed here from the
// SPEC's formulas (hw/SPEC.md §8.5-8.6), in int8/uint8 and fp16.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "hw_util.h"

namespace hwtest {
namespace {

std::mt19937 rng(42);
int8_t r8() {
  return int8_t(int(rng() % 256) - 128);
}
uint16_t rh(double scale = 2.0) {
  std::uniform_real_distribution<double> d(-scale, scale);
  return h16(d(rng));
}

TEST(Dma, StridedTransposeIsABitCopy) {
  Mem mem;
  std::vector<int8_t> x(6 * 7);
  for (auto& v : x) v = r8();
  mem.put(0x1000, x);
  Stream s;
  auto& c = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  c.src = td(0x1000, RNPU_DT_INT8, {7, 6});  // read [6,7] transposed
  c.src.strides[0] = 1;
  c.src.strides[1] = 7;
  c.dst = td(0x2000, RNPU_DT_INT8, {7, 6});
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  auto y = mem.get<int8_t>(0x2000, 42);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 7; ++j) EXPECT_EQ(y[size_t(j * 6 + i)], x[size_t(i * 7 + j)]);
}

TEST(Dma, ConvertsFp32ToFp16AndInt8) {
  Mem mem;
  std::vector<float> x = {0.1f, -2.5f, 65519.f, 65520.f, 1e-8f, 3.0e-5f, -0.0f, 1.f / 3};
  mem.put(0x1000, x);
  Stream s;
  auto& a = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  a.src = td(0x1000, RNPU_DT_FP32, {8});
  a.dst = td(0x2000, RNPU_DT_FP16, {8});
  auto& b = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  b.src = td(0x1000, RNPU_DT_FP32, {8});
  b.dst = td(0x3000, RNPU_DT_INT8, {8}, 0.02f, 3);
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  auto h = mem.get<uint16_t>(0x2000, 8);
  auto q = mem.get<int8_t>(0x3000, 8);
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(h[i], h16(x[i])) << i;
    EXPECT_EQ(q[i], quant(x[i], double(0.02f), 3, -128, 127)) << i;
  }
  EXPECT_EQ(h[3], 0x7c00);  // 65520 rounds up to +inf
}

TEST(Numerics, RequantizationTiesSaturationAndNan) {
  Mem mem;
  // scale 1: reals 0.5, 1.5, 2.5, -0.5, -1.5 tie; 300 and -300 saturate.
  std::vector<float> x = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 300.f, -300.f, NAN};
  mem.put(0x1000, x);
  Stream s;
  auto& a = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  a.src = td(0x1000, RNPU_DT_FP32, {8});
  a.dst = td(0x2000, RNPU_DT_INT8, {8}, 1.f, 0);
  auto& b = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  b.src = td(0x1000, RNPU_DT_FP32, {8});
  b.dst = td(0x3000, RNPU_DT_UINT8, {8}, 1.f, 128);
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  EXPECT_EQ(mem.get<int8_t>(0x2000, 8), (std::vector<int8_t>{0, 2, 2, 0, -2, 127, -128, 0}));
  EXPECT_EQ(mem.get<uint8_t>(0x3000, 8),
            (std::vector<uint8_t>{128, 130, 130, 128, 126, 255, 0, 128}));
}

TEST(Numerics, Fp16RoundingTiesSubnormalsOverflow) {
  Mem mem;
  // 1 + 2^-11 ties to 1, 1 + 3*2^-11 ties up; 2^-25 ties to 0; 3*2^-26 rounds to 2^-24.
  std::vector<float> x = {1.f + 0x1p-11f, 1.f + 3 * 0x1p-11f, 0x1p-25f, 3 * 0x1p-26f, 0x1p-20f,
                          70000.f,        -70000.f,           65504.f};
  mem.put(0x1000, x);
  Stream s;
  auto& a = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  a.src = td(0x1000, RNPU_DT_FP32, {8});
  a.dst = td(0x2000, RNPU_DT_FP16, {8});
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  EXPECT_EQ(mem.get<uint16_t>(0x2000, 8), (std::vector<uint16_t>{0x3c00, 0x3c02, 0x0000, 0x0001,
                                                                 0x0010, 0x7c00, 0xfc00, 0x7bff}));
  EXPECT_EQ(rnpu_fp16_from_double(1.0 / 3), h16(1.0 / 3));
}

// CONV2D references: the SPEC's int8 and fp16 formulas, loop by loop.
struct ConvCase {
  uint32_t n, c, h, w, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
  uint8_t act;
};

uint32_t out_dim(uint32_t in, uint32_t pa, uint32_t pb, uint32_t k, uint32_t d, uint32_t s) {
  return (in + pa + pb - d * (k - 1) - 1) / s + 1;
}

class ConvInt8 : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvInt8, PerChannelMatchesReference) {
  const ConvCase& k = GetParam();
  uint32_t cg = k.c / k.groups, ocg = k.oc / k.groups;
  uint32_t oh = out_dim(k.h, k.pt, k.pb, k.kh, k.dh, k.sh),
           ow = out_dim(k.w, k.pl, k.pr, k.kw, k.dw, k.sw);
  Mem mem;
  std::vector<int8_t> x(k.n * k.c * k.h * k.w), w(k.oc * cg * k.kh * k.kw);
  std::vector<int32_t> bias(k.oc);
  std::vector<float> ws(k.oc);
  for (auto& v : x) v = r8();
  for (auto& v : w) v = r8();
  for (auto& v : bias) v = int32_t(rng() % 2001) - 1000;
  for (auto& v : ws) v = 0.001f + float(rng() % 100) * 0.0001f;
  mem.put(0x1000, x);
  mem.put(0x20000, w);
  mem.put(0x30000, bias);
  mem.put(0x31000, ws);
  const float sx = 0.05f, so = 0.2f;
  const int32_t zx = 3, zo = -5;
  Stream s;
  auto& c = s.add<rnpu_cmd_conv2d>(RNPU_OP_CONV2D);
  c.stride[0] = uint16_t(k.sh), c.stride[1] = uint16_t(k.sw);
  c.dilation[0] = uint16_t(k.dh), c.dilation[1] = uint16_t(k.dw);
  c.pad[0] = uint16_t(k.pt), c.pad[1] = uint16_t(k.pl), c.pad[2] = uint16_t(k.pb),
  c.pad[3] = uint16_t(k.pr);
  c.groups = uint16_t(k.groups);
  c.act.func = k.act;
  c.in = td(0x1000, RNPU_DT_INT8, {k.n, k.c, k.h, k.w}, sx, zx);
  c.weight = td(0x20000, RNPU_DT_INT8, {k.oc, cg, k.kh, k.kw});
  c.weight.flags = RNPU_TD_PER_CHANNEL;
  c.weight.scale = 0;
  c.weight.qscale_va = 0x31000;
  c.bias = td(0x30000, RNPU_DT_INT32, {k.oc});
  c.out = td(0x40000, RNPU_DT_INT8, {k.n, k.oc, oh, ow}, so, zo);
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  auto y = mem.get<int8_t>(0x40000, k.n * k.oc * oh * ow);
  EXPECT_EQ(r.macs, uint64_t(k.n) * k.oc * oh * ow * cg * k.kh * k.kw);
  size_t bad = 0;
  for (uint32_t n = 0; n < k.n; ++n)
    for (uint32_t o = 0; o < k.oc; ++o)
      for (uint32_t i = 0; i < oh; ++i)
        for (uint32_t j = 0; j < ow; ++j) {
          int64_t acc = 0;
          uint32_t g = o / ocg;
          for (uint32_t ci = 0; ci < cg; ++ci)
            for (uint32_t a = 0; a < k.kh; ++a)
              for (uint32_t b = 0; b < k.kw; ++b) {
                int64_t ih = int64_t(i * k.sh + a * k.dh) - k.pt,
                        iw = int64_t(j * k.sw + b * k.dw) - k.pl;
                if (ih < 0 || iw < 0 || ih >= k.h || iw >= k.w) continue;
                acc += int64_t(x[((n * k.c + g * cg + ci) * k.h + ih) * k.w + iw] - zx) *
                       w[((o * cg + ci) * k.kh + a) * k.kw + b];
              }
          acc += bias[o];
          double yv = double(acc) * (double(sx) * double(ws[o]));
          if (k.act == RNPU_ACT_RELU) yv = std::max(yv, 0.0);
          bad += y[((n * k.oc + o) * oh + i) * ow + j] != quant(yv, double(so), zo, -128, 127);
        }
  EXPECT_EQ(bad, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvInt8,
    ::testing::Values(ConvCase{1, 8, 9, 9, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, RNPU_ACT_RELU},
                      ConvCase{2, 6, 11, 10, 6, 3, 3, 2, 2, 1, 1, 1, 0, 1, 1, 6, RNPU_ACT_NONE},
                      ConvCase{1, 8, 12, 12, 4, 3, 2, 1, 2, 2, 1, 2, 1, 0, 3, 2, RNPU_ACT_RELU},
                      ConvCase{1, 40, 5, 5, 40, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, RNPU_ACT_NONE}));

TEST(ConvFp16, DepthwiseAccumulatesInFp32InOrder) {
  const uint32_t C = 8, H = 7, W = 7, K = 3;
  Mem mem;
  std::vector<uint16_t> x(C * H * W), w(C * K * K);
  std::vector<float> bias(C);
  for (auto& v : x) v = rh();
  for (auto& v : w) v = rh(1.0);
  for (auto& v : bias) v = float(rng() % 100) / 50.f - 1.f;
  mem.put(0x1000, x);
  mem.put(0x10000, w);
  mem.put(0x11000, bias);
  Stream s;
  auto& c = s.add<rnpu_cmd_conv2d>(RNPU_OP_CONV2D);
  c.stride[0] = c.stride[1] = 1;
  c.dilation[0] = c.dilation[1] = 1;
  c.pad[0] = c.pad[1] = c.pad[2] = c.pad[3] = 1;
  c.groups = C;
  c.act.func = RNPU_ACT_HARDSWISH;
  c.in = td(0x1000, RNPU_DT_FP16, {1, C, H, W});
  c.weight = td(0x10000, RNPU_DT_FP16, {C, 1, K, K});
  c.bias = td(0x11000, RNPU_DT_FP32, {C});
  c.out = td(0x20000, RNPU_DT_FP16, {1, C, H, W});
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  auto y = mem.get<uint16_t>(0x20000, C * H * W);
  for (uint32_t ch = 0; ch < C; ++ch)
    for (uint32_t i = 0; i < H; ++i)
      for (uint32_t j = 0; j < W; ++j) {
        float acc = 0.f;
        for (uint32_t a = 0; a < K; ++a)
          for (uint32_t b = 0; b < K; ++b) {
            int ih = int(i + a) - 1, iw = int(j + b) - 1;
            if (ih < 0 || iw < 0 || ih >= int(H) || iw >= int(W)) continue;
            volatile float p =
                float(f16(x[(ch * H + ih) * W + iw])) * float(f16(w[(ch * K + a) * K + b]));
            acc = acc + p;
          }
        acc = acc + bias[ch];
        double v = acc, hs = v * std::max(0.0, std::min(1.0, v / 6.0 + 0.5));
        ASSERT_EQ(y[(ch * H + i) * W + j], h16(hs)) << ch << "," << i << "," << j;
      }
}

TEST(MatmulFp16, TransposedBatchBroadcastWithBias) {
  const uint32_t B = 3, M = 4, K = 37, N = 5;
  Mem mem;
  std::vector<uint16_t> a(B * M * K), b(N * K), bias(N);
  for (auto& v : a) v = rh();
  for (auto& v : b) v = rh();
  for (auto& v : bias) v = rh();
  mem.put(0x1000, a);
  mem.put(0x8000, b);
  mem.put(0x9000, bias);
  Stream s;
  auto& c = s.add<rnpu_cmd_matmul>(RNPU_OP_MATMUL);
  c.flags = RNPU_MATMUL_TRANS_B;
  c.a = td(0x1000, RNPU_DT_FP16, {B, M, K});
  c.b = td(0x8000, RNPU_DT_FP16, {1, N, K});
  c.bias = td(0x9000, RNPU_DT_FP16, {N});
  c.out = td(0x10000, RNPU_DT_FP16, {B, M, N});
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  auto y = mem.get<uint16_t>(0x10000, B * M * N);
  for (uint32_t bb = 0; bb < B; ++bb)
    for (uint32_t m = 0; m < M; ++m)
      for (uint32_t n = 0; n < N; ++n) {
        float acc = 0.f;
        for (uint32_t k = 0; k < K; ++k) {
          volatile float p = float(f16(a[(bb * M + m) * K + k])) * float(f16(b[n * K + k]));
          acc = acc + p;
        }
        acc = acc + float(f16(bias[n]));
        EXPECT_EQ(y[(bb * M + m) * N + n], h16(acc));
      }
  EXPECT_EQ(r.macs, uint64_t(B) * M * N * K);
}

class Eltwise : public ::testing::TestWithParam<uint32_t> {};

TEST_P(Eltwise, MixedInt8Uint8ScalesWithBroadcast) {
  uint32_t op = GetParam();
  Mem mem;
  std::vector<int8_t> a(2 * 3 * 4);
  std::vector<uint8_t> b(4);
  for (auto& v : a) v = r8();
  for (auto& v : b) v = uint8_t(rng());
  mem.put(0x1000, a);
  mem.put(0x2000, b);
  Stream s;
  auto& c = s.add<rnpu_cmd_eltwise>(RNPU_OP_ELTWISE);
  c.op = op;
  c.act.func = RNPU_ACT_CLIP;
  c.act.p0 = fbits(-3.f);
  c.act.p1 = fbits(4.f);
  c.a = td(0x1000, RNPU_DT_INT8, {2, 3, 4}, 0.05f, 2);
  c.b = td(0x2000, RNPU_DT_UINT8, {1, 1, 4}, 0.03f, 128);
  c.out = td(0x3000, RNPU_DT_INT8, {2, 3, 4}, 0.04f, -1);
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  auto y = mem.get<int8_t>(0x3000, 24);
  for (size_t i = 0; i < 24; ++i) {
    double x0 = double(0.05f) * (a[i] - 2), x1 = double(0.03f) * (b[i % 4] - 128), v;
    switch (op) {
      case RNPU_ELT_ADD:
        v = x0 + x1;
        break;
      case RNPU_ELT_SUB:
        v = x0 - x1;
        break;
      case RNPU_ELT_MUL:
        v = x0 * x1;
        break;
      case RNPU_ELT_MIN:
        v = std::min(x0, x1);
        break;
      default:
        v = std::max(x0, x1);
        break;
    }
    v = std::min(std::max(v, -3.0), 4.0);
    EXPECT_EQ(y[i], quant(v, double(0.04f), -1, -128, 127)) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, Eltwise,
                         ::testing::Values(RNPU_ELT_ADD, RNPU_ELT_SUB, RNPU_ELT_MUL, RNPU_ELT_MIN,
                                           RNPU_ELT_MAX));

double act_ref(uint8_t f, double x, double p0, double p1) {
  switch (f) {
    case RNPU_ACT_RELU:
      return std::max(x, 0.0);
    case RNPU_ACT_RELU6:
      return std::min(std::max(x, 0.0), 6.0);
    case RNPU_ACT_CLIP:
      return std::min(std::max(x, p0), p1);
    case RNPU_ACT_SIGMOID:
      return 1 / (1 + std::exp(-x));
    case RNPU_ACT_TANH:
      return std::tanh(x);
    case RNPU_ACT_HARDSIGMOID:
      return std::max(0.0, std::min(1.0, p0 * x + p1));
    case RNPU_ACT_HARDSWISH:
      return x * std::max(0.0, std::min(1.0, x / 6 + 0.5));
    case RNPU_ACT_GELU:
      return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
    case RNPU_ACT_LEAKYRELU:
      return x < 0 ? p0 * x : x;
    case RNPU_ACT_ELU:
      return x < 0 ? p0 * std::expm1(x) : x;
    default:
      return x;
  }
}

class Act : public ::testing::TestWithParam<uint8_t> {};

TEST_P(Act, Fp16AndInt8MatchTheFormula) {
  uint8_t f = GetParam();
  float p0 = 0, p1 = 0;
  if (f == RNPU_ACT_CLIP) p0 = -1.5f, p1 = 2.f;
  if (f == RNPU_ACT_HARDSIGMOID) p0 = 0.2f, p1 = 0.5f;
  if (f == RNPU_ACT_LEAKYRELU || f == RNPU_ACT_ELU) p0 = 0.3f;
  Mem mem;
  std::vector<uint16_t> xh(64);
  std::vector<int8_t> xq(64);
  for (auto& v : xh) v = rh(8.0);
  for (auto& v : xq) v = r8();
  mem.put(0x1000, xh);
  mem.put(0x2000, xq);
  Stream s;
  for (int q = 0; q < 2; ++q) {
    auto& c = s.add<rnpu_cmd_act>(RNPU_OP_ACT);
    c.act.func = f;
    c.act.p0 = p0 ? fbits(p0) : 0;
    c.act.p1 = p1 ? fbits(p1) : 0;
    c.in = q ? td(0x2000, RNPU_DT_INT8, {64}, 0.1f, 0) : td(0x1000, RNPU_DT_FP16, {64});
    c.out = q ? td(0x4000, RNPU_DT_INT8, {64}, 0.05f, 10) : td(0x3000, RNPU_DT_FP16, {64});
  }
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  auto yh = mem.get<uint16_t>(0x3000, 64);
  auto yq = mem.get<int8_t>(0x4000, 64);
  for (size_t i = 0; i < 64; ++i) {
    EXPECT_EQ(yh[i], h16(act_ref(f, f16(xh[i]), double(p0), double(p1)))) << i;
    EXPECT_EQ(yq[i], quant(act_ref(f, double(0.1f) * xq[i], double(p0), double(p1)), double(0.05f),
                           10, -128, 127))
        << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Functions, Act, ::testing::Range<uint8_t>(RNPU_ACT_NONE, RNPU_ACT_COUNT));

TEST(Pool, MaxAvgCountPadAndGlobal) {
  const uint32_t C = 3, H = 6, W = 5;
  Mem mem;
  std::vector<int8_t> x(C * H * W);
  for (auto& v : x) v = r8();
  mem.put(0x1000, x);
  Stream s;
  uint32_t oh = (H + 1 + 1 - 3) / 2 + 1, ow = (W + 1 + 1 - 3) / 2 + 1;
  int k = 0;
  for (uint16_t op : {RNPU_POOL_MAX, RNPU_POOL_AVG, RNPU_POOL_AVG}) {
    auto& c = s.add<rnpu_cmd_pool>(RNPU_OP_POOL);
    c.op = op;
    c.flags = k == 2 ? RNPU_POOL_COUNT_PAD : 0;
    c.kernel[0] = c.kernel[1] = 3;
    c.stride[0] = c.stride[1] = 2;
    c.pad[0] = c.pad[1] = c.pad[2] = c.pad[3] = 1;
    c.in = td(0x1000, RNPU_DT_INT8, {1, C, H, W}, 0.1f, 0);
    c.out = td(0x2000 + 0x100 * uint32_t(k++), RNPU_DT_INT8, {1, C, oh, ow}, 0.1f, 0);
  }
  auto& g = s.add<rnpu_cmd_pool>(RNPU_OP_POOL);
  g.op = RNPU_POOL_GLOBAL_AVG;
  g.in = td(0x1000, RNPU_DT_INT8, {1, C, H, W}, 0.1f, 0);
  g.out = td(0x3000, RNPU_DT_INT8, {1, C, 1, 1}, 0.01f, 0);
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  for (uint32_t ch = 0; ch < C; ++ch) {
    for (uint32_t i = 0; i < oh; ++i)
      for (uint32_t j = 0; j < ow; ++j) {
        double mx = -1e9, sum = 0;
        int cnt = 0;
        for (int a = 0; a < 3; ++a)
          for (int b = 0; b < 3; ++b) {
            int ih = int(i * 2 + a) - 1, iw = int(j * 2 + b) - 1;
            if (ih < 0 || iw < 0 || ih >= int(H) || iw >= int(W)) continue;
            double v = double(0.1f) * x[(ch * H + ih) * W + iw];
            mx = std::max(mx, v);
            sum += v;
            ++cnt;
          }
        size_t o = (ch * oh + i) * ow + j;
        EXPECT_EQ(mem.get<int8_t>(0x2000, 64)[o], quant(mx, double(0.1f), 0, -128, 127));
        EXPECT_EQ(mem.get<int8_t>(0x2100, 64)[o], quant(sum / cnt, double(0.1f), 0, -128, 127));
        EXPECT_EQ(mem.get<int8_t>(0x2200, 64)[o], quant(sum / 9, double(0.1f), 0, -128, 127));
      }
    double sum = 0;
    for (uint32_t i = 0; i < H * W; ++i) sum += double(0.1f) * x[ch * H * W + i];
    EXPECT_EQ(mem.get<int8_t>(0x3000, 3)[ch], quant(sum / (H * W), double(0.01f), 0, -128, 127));
  }
}

TEST(Softmax, EveryAxisFp16) {
  const uint32_t D0 = 3, D1 = 4, D2 = 5;
  Mem mem;
  std::vector<uint16_t> x(D0 * D1 * D2);
  for (auto& v : x) v = rh(4.0);
  mem.put(0x1000, x);
  for (uint32_t axis = 0; axis < 3; ++axis) {
    Stream s;
    auto& c = s.add<rnpu_cmd_softmax>(RNPU_OP_SOFTMAX);
    c.axis = axis;
    c.in = td(0x1000, RNPU_DT_FP16, {D0, D1, D2});
    c.out = td(0x2000, RNPU_DT_FP16, {D0, D1, D2});
    rnpu_model_result r;
    ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
    auto y = mem.get<uint16_t>(0x2000, x.size());
    uint32_t dims[3] = {D0, D1, D2}, st[3] = {D1 * D2, D2, 1};
    for (uint32_t i = 0; i < x.size(); ++i) {
      uint32_t pos = (i / st[axis]) % dims[axis], base = i - pos * st[axis];
      double m = -1e9, sum = 0;
      for (uint32_t k = 0; k < dims[axis]; ++k) m = std::max(m, f16(x[base + k * st[axis]]));
      for (uint32_t k = 0; k < dims[axis]; ++k) sum += std::exp(f16(x[base + k * st[axis]]) - m);
      EXPECT_EQ(y[i], h16(std::exp(f16(x[i]) - m) / sum)) << axis << ":" << i;
    }
  }
}

TEST(LayerNorm, WithAndWithoutGammaBeta) {
  const uint32_t R = 3, N = 16;
  Mem mem;
  std::vector<uint16_t> x(R * N), gb(2 * N);
  for (auto& v : x) v = rh(3.0);
  for (auto& v : gb) v = rh(1.0);
  mem.put(0x1000, x);
  mem.put(0x2000, gb);
  Stream s;
  for (int with = 0; with < 2; ++with) {
    auto& c = s.add<rnpu_cmd_layernorm>(RNPU_OP_LAYERNORM);
    c.epsilon = fbits(1e-5f);
    c.in = td(0x1000, RNPU_DT_FP16, {R, N});
    if (with) {
      c.gamma = td(0x2000, RNPU_DT_FP16, {N});
      c.beta = td(0x2000 + 2 * N, RNPU_DT_FP16, {N});
    }
    c.out = td(0x3000 + 0x100 * uint32_t(with), RNPU_DT_FP16, {R, N});
  }
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  for (int with = 0; with < 2; ++with) {
    auto y = mem.get<uint16_t>(0x3000 + 0x100 * uint32_t(with), R * N);
    for (uint32_t row = 0; row < R; ++row) {
      double mean = 0, var = 0;
      for (uint32_t i = 0; i < N; ++i) mean += f16(x[row * N + i]);
      mean /= N;
      for (uint32_t i = 0; i < N; ++i)
        var += (f16(x[row * N + i]) - mean) * (f16(x[row * N + i]) - mean);
      var /= N;
      for (uint32_t i = 0; i < N; ++i) {
        double v = (f16(x[row * N + i]) - mean) / std::sqrt(var + double(1e-5f));
        if (with) v = v * f16(gb[i]) + f16(gb[N + i]);
        EXPECT_EQ(y[row * N + i], h16(v));
      }
    }
  }
}

struct ResizeCase {
  uint8_t mode, coord, nearest;
  uint32_t ih, iw, oh, ow;
};

class Resize : public ::testing::TestWithParam<ResizeCase> {};

TEST_P(Resize, MatchesTheCoordinateTransform) {
  const ResizeCase& k = GetParam();
  Mem mem;
  std::vector<uint16_t> x(2 * k.ih * k.iw);
  for (auto& v : x) v = rh(4.0);
  mem.put(0x1000, x);
  float sh = float(k.oh) / float(k.ih), sw = float(k.ow) / float(k.iw);
  Stream s;
  auto& c = s.add<rnpu_cmd_resize>(RNPU_OP_RESIZE);
  c.mode = k.mode;
  c.coord = k.coord;
  c.nearest = k.nearest;
  c.scale[0] = fbits(sh);
  c.scale[1] = fbits(sw);
  c.in = td(0x1000, RNPU_DT_FP16, {1, 2, k.ih, k.iw});
  c.out = td(0x4000, RNPU_DT_FP16, {1, 2, k.oh, k.ow});
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  auto y = mem.get<uint16_t>(0x4000, 2 * k.oh * k.ow);
  auto src = [&](uint32_t o, uint32_t in, uint32_t out, double sc) {
    switch (k.coord) {
      case RNPU_COORD_ALIGN_CORNERS:
        return out > 1 ? double(o) * (in - 1) / (out - 1) : 0.0;
      case RNPU_COORD_ASYMMETRIC:
        return o / sc;
      case RNPU_COORD_PYTORCH_HALF_PIXEL:
        return out > 1 ? (o + 0.5) / sc - 0.5 : 0.0;
      default:
        return (o + 0.5) / sc - 0.5;
    }
  };
  auto near = [&](double v, uint32_t in) {
    double q = k.nearest == RNPU_NEAREST_ROUND_PREFER_CEIL ? std::floor(v + 0.5)
               : k.nearest == RNPU_NEAREST_FLOOR           ? std::floor(v)
               : k.nearest == RNPU_NEAREST_CEIL            ? std::ceil(v)
                                                           : std::ceil(v - 0.5);
    return uint32_t(std::clamp(q, 0.0, double(in - 1)));
  };
  for (uint32_t p = 0; p < 2; ++p)
    for (uint32_t i = 0; i < k.oh; ++i)
      for (uint32_t j = 0; j < k.ow; ++j) {
        double yv, hy = src(i, k.ih, k.oh, double(sh)), wx = src(j, k.iw, k.ow, double(sw));
        auto at = [&](uint32_t a, uint32_t b) { return f16(x[(p * k.ih + a) * k.iw + b]); };
        if (k.mode == RNPU_RESIZE_NEAREST) {
          yv = at(near(hy, k.ih), near(wx, k.iw));
        } else {
          hy = std::clamp(hy, 0.0, double(k.ih - 1));
          wx = std::clamp(wx, 0.0, double(k.iw - 1));
          uint32_t h0 = uint32_t(hy), w0 = uint32_t(wx);
          uint32_t h1 = std::min(h0 + 1, k.ih - 1), w1 = std::min(w0 + 1, k.iw - 1);
          double fh = hy - h0, fw = wx - w0;
          double r0 = at(h0, w0) * (1 - fw) + at(h0, w1) * fw;
          double r1 = at(h1, w0) * (1 - fw) + at(h1, w1) * fw;
          yv = r0 * (1 - fh) + r1 * fh;
        }
        EXPECT_EQ(y[(p * k.oh + i) * k.ow + j], h16(yv)) << i << "," << j;
      }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, Resize,
    ::testing::Values(
        ResizeCase{RNPU_RESIZE_NEAREST, RNPU_COORD_ASYMMETRIC, RNPU_NEAREST_FLOOR, 3, 4, 6, 8},
        ResizeCase{RNPU_RESIZE_NEAREST, RNPU_COORD_HALF_PIXEL, RNPU_NEAREST_ROUND_PREFER_FLOOR, 4,
                   4, 6, 6},
        ResizeCase{RNPU_RESIZE_NEAREST, RNPU_COORD_HALF_PIXEL, RNPU_NEAREST_ROUND_PREFER_CEIL, 4, 4,
                   6, 6},
        ResizeCase{RNPU_RESIZE_NEAREST, RNPU_COORD_ALIGN_CORNERS, RNPU_NEAREST_CEIL, 5, 3, 7, 7},
        ResizeCase{RNPU_RESIZE_BILINEAR, RNPU_COORD_HALF_PIXEL, 0, 3, 5, 6, 10},
        ResizeCase{RNPU_RESIZE_BILINEAR, RNPU_COORD_ALIGN_CORNERS, 0, 4, 4, 7, 5},
        ResizeCase{RNPU_RESIZE_BILINEAR, RNPU_COORD_ASYMMETRIC, 0, 4, 4, 8, 8},
        ResizeCase{RNPU_RESIZE_BILINEAR, RNPU_COORD_PYTORCH_HALF_PIXEL, 0, 4, 4, 1, 6}));

}  // namespace
}  // namespace hwtest
