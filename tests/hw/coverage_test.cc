// What ops_test.cc and model_test.cc leave out, against references written
// here from hw/SPEC.md: SYNC (§8.2, §9.1), a model that could not be
// created (NO_MEMORY, §8.3), the int8 MATMUL path (§8.5: exact accumulation,
// bias, int32 saturation, per-channel weights on N, batch broadcast),
// GLOBAL_MAX pooling, fp16 ELTWISE and fp16 pooling (one rounding from
// double, NaN propagation), and per-channel output quantization (§8.4/§8.5)
// on CONV2D, MATMUL and DMA.  Allocation failures inside the model are in
// nomem_test.cc (a binary of its own: it wraps malloc).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "hw_util.h"

namespace hwtest {
namespace {

std::mt19937 rng(1234);
int8_t r8() {
  return int8_t(int(rng() % 256) - 128);
}
uint8_t ru8() {
  return uint8_t(rng() % 256);
}
uint16_t rh(double scale = 2.0) {
  std::uniform_real_distribution<double> d(-scale, scale);
  return h16(d(rng));
}

// SPEC 8.5: FP16 NaN results are stored as the quiet NaN 0x7e00 (with a sign).
void expect_fp16(uint16_t got, double want, const std::string& where) {
  if (std::isnan(want))
    EXPECT_EQ(got & 0x7fff, 0x7e00) << where;
  else
    EXPECT_EQ(got, h16(want)) << where << ": want " << want << " got " << f16(got);
}

// ---- SYNC (opcode 1): an ordering point with no data effect, 64 cycles ----

TEST(Sync, OrdersCommandsWithoutDataEffect) {
  Model m;
  Mem mem;
  std::vector<int8_t> x(16);
  for (auto& v : x) v = r8();
  mem.put(0x1000, x);
  auto* sram = static_cast<uint8_t*>(rnpu_model_sram(m.m));
  for (int i = 0; i < 256; ++i) sram[i] = uint8_t(i ^ 0x5a);
  std::vector<uint8_t> sram_before(sram, sram + 256);
  std::vector<uint8_t> before = mem.b;

  // DMA x -> B, SYNC, DMA B -> C (reads what the first DMA wrote), SYNC.
  Stream s;
  auto& a = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  a.src = td(0x1000, RNPU_DT_INT8, {16});
  a.dst = td(0x2000, RNPU_DT_INT8, {16});
  s.sync();
  auto& b = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  b.src = td(0x2000, RNPU_DT_INT8, {16});
  b.dst = td(0x3000, RNPU_DT_INT8, {16});
  s.sync();
  rnpu_cmd_cost costs[4];
  rnpu_model_result r;
  ASSERT_EQ(m.run(s, mem, &r, 0, costs, 4), RNPU_MS_OK) << r.msg;
  EXPECT_EQ(r.num_cmds, 4u);
  std::vector<uint8_t> want = before;
  std::memcpy(&want[0x2000], x.data(), 16);
  std::memcpy(&want[0x3000], x.data(), 16);
  EXPECT_EQ(mem.b, want);  // nothing else in DRAM changed
  EXPECT_EQ(std::vector<uint8_t>(sram, sram + 256), sram_before);
  for (int i : {1, 3}) {
    EXPECT_EQ(costs[i].opcode, RNPU_OP_SYNC);
    EXPECT_EQ(costs[i].offset, s.offset(size_t(i)));
    EXPECT_EQ(costs[i].cycles, 64u);  // the issue overhead only
    EXPECT_EQ(costs[i].compute_cycles, 0u);
    EXPECT_EQ(costs[i].macs, 0u);
    EXPECT_EQ(costs[i].dram_bytes, 0u);
    EXPECT_EQ(costs[i].sram_bytes, 0u);
  }
  // DMA: 16 bytes read + 16 written, ceil(32 / 32) = 1 memory cycle.
  EXPECT_EQ(costs[0].cycles, 65u);
  EXPECT_EQ(r.cycles, 65u + 64 + 65 + 64);
  EXPECT_EQ(r.dram_rd_bytes, 32u);
  EXPECT_EQ(r.dram_wr_bytes, 32u);
}

TEST(Sync, OnlySyncsTouchNothingAndCountForTheWatchdog) {
  Model m;
  Mem mem;
  for (size_t i = 0; i < mem.b.size(); i += 7) mem.b[i] = uint8_t(i);
  std::vector<uint8_t> before = mem.b;
  Stream s;
  s.sync();
  s.sync();
  s.sync();
  rnpu_model_result r;
  ASSERT_EQ(m.run(s, mem, &r), RNPU_MS_OK) << r.msg;
  EXPECT_EQ(r.cycles, 3u * 64);
  EXPECT_EQ(r.num_cmds, 3u);
  EXPECT_EQ(r.dram_rd_bytes + r.dram_wr_bytes + r.sram_bytes + r.macs, 0u);
  EXPECT_EQ(mem.b, before);
  rnpu_model_config cfg;
  rnpu_model_default_config(&cfg);
  std::vector<uint8_t> bytes = s.bytes();
  rnpu_model_result est;
  ASSERT_EQ(rnpu_model_estimate(&cfg, bytes.data(), bytes.size(), &est), RNPU_MS_OK);
  EXPECT_EQ(est.cycles, 3u * 64);
  // 2 x 64 fit a budget of 150; the third SYNC would make 192.
  ASSERT_EQ(m.run(s, mem, &r, 150), RNPU_MS_WATCHDOG);
  EXPECT_EQ(r.err_cmd, 2u);
  EXPECT_EQ(r.err_offset, s.offset(2));
  EXPECT_EQ(r.cycles, 150u);
}

TEST(Sync, CarriesNoFields) {
  Stream s;
  s.sync();
  s.nop();
  std::vector<uint8_t> b = s.bytes();
  rnpu_model_result r;
  ASSERT_EQ(rnpu_model_validate(b.data(), b.size(), &r), RNPU_MS_OK) << r.msg;
  uint16_t eight = 8;  // SYNC claiming the NOP's 4 bytes as its payload
  std::memcpy(&b[32 + 2], &eight, 2);
  EXPECT_EQ(rnpu_model_validate(b.data(), b.size(), &r), RNPU_MS_BAD_SIZE);
  EXPECT_EQ(r.err_offset, 32u);
  EXPECT_EQ(r.err_cmd, 0u);
}

// ---- NO_MEMORY without a model ----

TEST(NoMemory, RunWithoutAModelIsNoMemory) {
  Stream s;
  s.sync();
  std::vector<uint8_t> b = s.bytes();
  Mem mem;
  rnpu_mem_ops ops = mem.ops();
  rnpu_model_result r;
  std::memset(&r, 0xff, sizeof r);
  EXPECT_EQ(rnpu_model_run(nullptr, b.data(), b.size(), &ops, 0, &r, nullptr, 0),
            RNPU_MS_NO_MEMORY);
  EXPECT_EQ(r.status, RNPU_MS_NO_MEMORY);
  EXPECT_EQ(r.num_cmds, 0u);
  EXPECT_EQ(r.cycles, 0u);
  EXPECT_NE(r.msg[0], '\0');
  EXPECT_STREQ(rnpu_model_status_name(RNPU_MS_NO_MEMORY), "no-memory");
  // Validation needs no model and never reports NO_MEMORY.
  EXPECT_EQ(rnpu_model_validate(b.data(), b.size(), &r), RNPU_MS_OK);
}

TEST(NoMemory, CreateRefusesConfigurationsItCannotHold) {
  auto make = [](void (*f)(rnpu_model_config&)) {
    rnpu_model_config c;
    rnpu_model_default_config(&c);
    f(c);
    rnpu_model* m = rnpu_model_create(&c);
    bool ok = m != nullptr;
    rnpu_model_destroy(m);
    return ok;
  };
  EXPECT_TRUE(make([](rnpu_model_config&) {}));
  EXPECT_FALSE(rnpu_model_create(nullptr));
  EXPECT_FALSE(make([](rnpu_model_config& c) { c.sram_kib = 0; }));
  // The SRAM window is at most 4 GiB (RNPU_SRAM_VA .. 2^39).
  EXPECT_FALSE(make([](rnpu_model_config& c) { c.sram_kib = (1u << 22) + 1; }));
  EXPECT_FALSE(make([](rnpu_model_config& c) { c.mac_rows = 0; }));
  EXPECT_FALSE(make([](rnpu_model_config& c) { c.mac_cols = 0; }));
  EXPECT_FALSE(make([](rnpu_model_config& c) { c.vec_lanes = 0; }));
  EXPECT_FALSE(make([](rnpu_model_config& c) { c.dram_bytes_per_cycle = 0; }));
  EXPECT_FALSE(make([](rnpu_model_config& c) { c.sram_bytes_per_cycle = 0; }));
  EXPECT_FALSE(make([](rnpu_model_config& c) { c.num_opp = 0; }));
  EXPECT_FALSE(make([](rnpu_model_config& c) { c.num_opp = RNPU_MAX_OPP + 1; }));
  rnpu_model_destroy(nullptr);  // allowed, like free(NULL)
}

// ---- MATMUL, int8 path (SPEC 8.5) ----

// acc = sum (a - za)(b - zb) exact, + (bias - zbias), saturated to int32,
// y = acc * (sa * sb[n]), act, stored.
double mm_int8_ref(int64_t acc, int64_t bias, double sa, double sb) {
  int64_t s = acc + bias;
  s = std::clamp<int64_t>(s, INT32_MIN, INT32_MAX);
  return double(s) * (sa * sb);
}

TEST(MatmulInt8, BatchBroadcastPerChannelWeightsBiasAndRelu) {
  // a [2,1,M,K] int8, b [1,3,K,N] uint8 per-channel on N, out [2,3,M,N].
  const uint32_t M = 3, K = 45, N = 5;
  Mem mem;
  std::vector<int8_t> a(2 * M * K);
  std::vector<uint8_t> b(3 * K * N);
  std::vector<int32_t> bias(N);
  std::vector<float> sb(N);
  for (auto& v : a) v = r8();
  for (auto& v : b) v = ru8();
  for (auto& v : bias) v = int32_t(rng() % 4001) - 2000;
  for (size_t n = 0; n < N; ++n) sb[n] = 0.002f * float(n + 1);
  mem.put(0x1000, a);
  mem.put(0x4000, b);
  mem.put(0x8000, bias);
  mem.put(0x8100, sb);
  const float sa = 0.05f, so = 0.25f;
  const int32_t za = 3, zb = 120, zbias = 5, zo = -3;
  Stream s;
  auto& c = s.add<rnpu_cmd_matmul>(RNPU_OP_MATMUL);
  c.act.func = RNPU_ACT_RELU;
  c.a = td(0x1000, RNPU_DT_INT8, {2, 1, M, K}, sa, za);
  c.b = td(0x4000, RNPU_DT_UINT8, {1, 3, K, N}, 0, zb);
  c.b.flags = RNPU_TD_PER_CHANNEL;
  c.b.scale = 0;
  c.b.q_axis = 3;  // N
  c.b.qscale_va = 0x8100;
  c.bias = td(0x8000, RNPU_DT_INT32, {N}, 0, zbias);
  c.out = td(0x9000, RNPU_DT_INT8, {2, 3, M, N}, so, zo);
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  EXPECT_EQ(r.macs, uint64_t(6) * M * N * K);
  auto y = mem.get<int8_t>(0x9000, 6 * M * N);
  for (uint32_t b0 = 0; b0 < 2; ++b0)
    for (uint32_t b1 = 0; b1 < 3; ++b1)
      for (uint32_t i = 0; i < M; ++i)
        for (uint32_t j = 0; j < N; ++j) {
          int64_t acc = 0;
          for (uint32_t k = 0; k < K; ++k)
            acc += int64_t(a[(b0 * M + i) * K + k] - za) * (b[(b1 * K + k) * N + j] - zb);
          double v = mm_int8_ref(acc, bias[j] - zbias, double(sa), double(sb[j]));
          v = std::max(v, 0.0);
          EXPECT_EQ(y[((b0 * 3 + b1) * M + i) * N + j], quant(v, double(so), zo, -128, 127))
              << b0 << "," << b1 << "," << i << "," << j;
        }
}

TEST(MatmulInt8, TransposedBWithPerChannelScalesOnN) {
  // a [M,K] uint8, b [N,K] int8 (TRANS_B) per-channel on axis 0 (N), no bias.
  const uint32_t M = 4, K = 33, N = 6;
  Mem mem;
  std::vector<uint8_t> a(M * K);
  std::vector<int8_t> b(N * K);
  std::vector<float> sb(N);
  for (auto& v : a) v = ru8();
  for (auto& v : b) v = r8();
  for (size_t n = 0; n < N; ++n) sb[n] = 0.001f + 0.0007f * float(n);
  mem.put(0x1000, a);
  mem.put(0x2000, b);
  mem.put(0x3000, sb);
  const float sa = 0.02f, so = 0.3f;
  const int32_t za = 128, zo = 7;
  Stream s;
  auto& c = s.add<rnpu_cmd_matmul>(RNPU_OP_MATMUL);
  c.flags = RNPU_MATMUL_TRANS_B;
  c.a = td(0x1000, RNPU_DT_UINT8, {M, K}, sa, za);
  c.b = td(0x2000, RNPU_DT_INT8, {N, K});
  c.b.flags = RNPU_TD_PER_CHANNEL;
  c.b.scale = 0;
  c.b.q_axis = 0;
  c.b.qscale_va = 0x3000;
  c.out = td(0x4000, RNPU_DT_UINT8, {M, N}, so, zo);
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  auto y = mem.get<uint8_t>(0x4000, M * N);
  for (uint32_t i = 0; i < M; ++i)
    for (uint32_t j = 0; j < N; ++j) {
      int64_t acc = 0;
      for (uint32_t k = 0; k < K; ++k) acc += int64_t(a[i * K + k] - za) * b[j * K + k];
      double v = mm_int8_ref(acc, 0, double(sa), double(sb[j]));
      EXPECT_EQ(y[i * N + j], quant(v, double(so), zo, 0, 255)) << i << "," << j;
    }
  // TRANS_B moves b's N axis to rank - 2: per-channel on axis 1 (K) is refused.
  c.b.q_axis = 1;
  std::vector<uint8_t> bytes = s.bytes();
  EXPECT_EQ(rnpu_model_validate(bytes.data(), bytes.size(), &r), RNPU_MS_BAD_PARAM);
}

TEST(MatmulInt8, AccumulatorSaturatesToInt32AfterTheBias) {
  // a [1,K] = 255, b [K,2] = 255 (uint8, zero points 0): acc = 65025 * K.
  const uint32_t K = 40000;
  Mem mem;
  mem.put(0x1000, std::vector<uint8_t>(K, 255));
  mem.put(0x10000, std::vector<uint8_t>(2 * K, 255));
  mem.put(0x40000, std::vector<int32_t>{0, -1000000000});
  const float s = 1.f / 1024;  // sa * sb = 2^-20 exactly
  Stream st;
  auto& c = st.add<rnpu_cmd_matmul>(RNPU_OP_MATMUL);
  c.a = td(0x1000, RNPU_DT_UINT8, {1, K}, s, 0);
  c.b = td(0x10000, RNPU_DT_UINT8, {K, 2}, s, 0);
  c.bias = td(0x40000, RNPU_DT_INT32, {2});
  c.out = td(0x41000, RNPU_DT_INT8, {1, 2}, 32.f, 0);
  rnpu_model_result r;
  ASSERT_EQ(Model().run(st, mem, &r), RNPU_MS_OK) << r.msg;
  auto y = mem.get<int8_t>(0x41000, 2);
  const int64_t acc = 65025ll * K;  // 2601000000 > INT32_MAX
  // Column 0: INT32_MAX * 2^-20 / 32 = 63.99999997 -> 64 (unsaturated: 77.5 -> 78).
  EXPECT_EQ(y[0], quant(mm_int8_ref(acc, 0, double(s), double(s)), 32.0, 0, -128, 127));
  EXPECT_EQ(y[0], 64);
  // Column 1: the bias comes first: 1601000000 * 2^-20 / 32 = 47.7 -> 48
  // (saturating first would give 1147483647 -> 34).
  EXPECT_EQ(y[1], quant(mm_int8_ref(acc, -1000000000, double(s), double(s)), 32.0, 0, -128, 127));
  EXPECT_EQ(y[1], 48);
}

// ---- GLOBAL_MAX pooling ----

TEST(Pool, GlobalMaxInt8ToUint8AndFp16WithNan) {
  const uint32_t N = 2, C = 3, H = 5, W = 4;
  Mem mem;
  std::vector<int8_t> x(N * C * H * W);
  for (auto& v : x) v = r8();
  // Plane (0, 1) entirely below the zero point: a max seeded with 0 would show.
  for (uint32_t i = 0; i < H * W; ++i) x[(0 * C + 1) * H * W + i] = int8_t(-100 - int(i));
  mem.put(0x1000, x);
  std::vector<uint16_t> xh(1 * 2 * 3 * 3);
  for (auto& v : xh) v = h16(-double(rng() % 1000) / 7.0 - 1.0);
  xh[4] = 0xfc00;      // -inf in plane 0 does not win
  xh[9 + 5] = 0x7e00;  // NaN in plane 1 propagates
  mem.put(0x2000, xh);
  Stream s;
  auto& p = s.add<rnpu_cmd_pool>(RNPU_OP_POOL);
  p.op = RNPU_POOL_GLOBAL_MAX;
  p.in = td(0x1000, RNPU_DT_INT8, {N, C, H, W}, 0.1f, -2);
  p.out = td(0x3000, RNPU_DT_UINT8, {N, C, 1, 1}, 0.05f, 100);
  auto& q = s.add<rnpu_cmd_pool>(RNPU_OP_POOL);
  q.op = RNPU_POOL_GLOBAL_MAX;
  q.in = td(0x2000, RNPU_DT_FP16, {1, 2, 3, 3});
  q.out = td(0x3100, RNPU_DT_FP16, {1, 2, 1, 1});
  rnpu_cmd_cost costs[2];
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r, 0, costs, 2), RNPU_MS_OK) << r.msg;
  auto y = mem.get<uint8_t>(0x3000, N * C);
  for (uint32_t pl = 0; pl < N * C; ++pl) {
    double mx = -1e300;
    for (uint32_t i = 0; i < H * W; ++i) mx = std::max(mx, double(0.1f) * (x[pl * H * W + i] + 2));
    EXPECT_EQ(y[pl], quant(mx, double(0.05f), 100, 0, 255)) << pl;
  }
  EXPECT_LT(y[1], 100);  // the all-negative plane stays below the zero point
  auto yh = mem.get<uint16_t>(0x3100, 2);
  double mx = -1e300;
  for (uint32_t i = 0; i < 9; ++i) mx = std::max(mx, f16(xh[i]));
  expect_fp16(yh[0], mx, "plane 0");
  expect_fp16(yh[1], NAN, "plane 1");
  // Work per output H*W: int8 6 * 20 / 64 lanes -> 2; fp16 2 * 9 / 32 -> 1.
  EXPECT_EQ(costs[0].compute_cycles, 2u);
  EXPECT_EQ(costs[1].compute_cycles, 1u);

  // Global pooling takes no window and gives 1x1.
  auto global = [&](uint16_t kernel0, uint32_t ow) {
    Stream g;
    auto& c = g.add<rnpu_cmd_pool>(RNPU_OP_POOL);
    c.op = RNPU_POOL_GLOBAL_MAX;
    c.kernel[0] = kernel0;
    c.in = td(0x1000, RNPU_DT_INT8, {N, C, H, W}, 0.1f, -2);
    c.out = td(0x3000, RNPU_DT_UINT8, {N, C, 1, ow}, 0.05f, 100);
    std::vector<uint8_t> b = g.bytes();
    return rnpu_model_validate(b.data(), b.size(), &r);
  };
  EXPECT_EQ(global(0, 1), RNPU_MS_OK);
  EXPECT_EQ(global(1, 1), RNPU_MS_BAD_PARAM);
  EXPECT_EQ(global(0, 2), RNPU_MS_BAD_SHAPE);
}

// ---- fp16 ELTWISE: y = act(a op b) in double, one rounding to fp16 ----

double elt_ref(uint32_t op, double a, double b) {
  switch (op) {
    case RNPU_ELT_ADD:
      return a + b;
    case RNPU_ELT_SUB:
      return a - b;
    case RNPU_ELT_MUL:
      return a * b;
    case RNPU_ELT_MIN:
      return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
    default:
      return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
  }
}

class EltwiseFp16 : public ::testing::TestWithParam<uint32_t> {};

TEST_P(EltwiseFp16, BroadcastOnBothSidesWithFusedLeakyRelu) {
  const uint32_t op = GetParam();
  // a [2,1,4] and b [1,3,4] broadcast to [2,3,4]; special values included:
  // the largest finite value (sums/products overflow to inf), inf, NaN,
  // the smallest subnormal, -0.
  std::vector<uint16_t> a = {0x7bff, 0x8000,   0x7c00,     0x7e00,
                             0x0001, h16(1.5), h16(-3.25), h16(0.1)};
  std::vector<uint16_t> b(12);
  for (auto& v : b) v = rh(4.0);
  b[0] = 0x7bff;
  b[6] = 0xfc00;  // -inf
  b[9] = 0x0001;
  Mem mem;
  mem.put(0x1000, a);
  mem.put(0x2000, b);
  const float alpha = 0.125f;
  Stream s;
  auto& c = s.add<rnpu_cmd_eltwise>(RNPU_OP_ELTWISE);
  c.op = op;
  c.act.func = RNPU_ACT_LEAKYRELU;
  c.act.p0 = fbits(alpha);
  c.a = td(0x1000, RNPU_DT_FP16, {2, 1, 4});
  c.b = td(0x2000, RNPU_DT_FP16, {1, 3, 4});
  c.out = td(0x3000, RNPU_DT_FP16, {2, 3, 4});
  rnpu_cmd_cost cost;
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r, 0, &cost, 1), RNPU_MS_OK) << r.msg;
  auto y = mem.get<uint16_t>(0x3000, 24);
  for (uint32_t i = 0; i < 2; ++i)
    for (uint32_t j = 0; j < 3; ++j)
      for (uint32_t k = 0; k < 4; ++k) {
        double v = elt_ref(op, f16(a[i * 4 + k]), f16(b[j * 4 + k]));
        v = v < 0 ? double(alpha) * v : v;
        expect_fp16(y[(i * 3 + j) * 4 + k], v,
                    std::to_string(i) + "," + std::to_string(j) + "," + std::to_string(k));
      }
  // 65504 + 65504 overflows to +inf; 65504 * 65504 too.
  if (op == RNPU_ELT_ADD || op == RNPU_ELT_MUL) EXPECT_EQ(y[0], 0x7c00);
  EXPECT_EQ(cost.compute_cycles, 1u);  // 24 elements / 32 fp16 lanes
}

INSTANTIATE_TEST_SUITE_P(Ops, EltwiseFp16,
                         ::testing::Values(RNPU_ELT_ADD, RNPU_ELT_SUB, RNPU_ELT_MUL, RNPU_ELT_MIN,
                                           RNPU_ELT_MAX));

// ---- fp16 pooling ----

TEST(PoolFp16, MaxAvgCountPadAndGlobalWithAsymmetricPadsAndNan) {
  const uint32_t C = 2, H = 7, W = 6, KH = 3, KW = 2, SH = 2, SW = 1;
  const uint32_t PT = 0, PL = 1, PB = 2, PR = 0;  // a ceil-mode style bottom pad
  const uint32_t OH = (H + PT + PB - KH) / SH + 1, OW = (W + PL + PR - KW) / SW + 1;
  ASSERT_EQ(OH, 4u);
  ASSERT_EQ(OW, 6u);
  Mem mem;
  std::vector<uint16_t> x(C * H * W);
  for (auto& v : x) v = rh(8.0);
  x[H * W + 3 * W + 2] = 0x7e00;  // a NaN in plane 1, row 3, column 2
  mem.put(0x1000, x);
  Stream s;
  const uint16_t ops[5] = {RNPU_POOL_MAX, RNPU_POOL_AVG, RNPU_POOL_AVG, RNPU_POOL_GLOBAL_AVG,
                           RNPU_POOL_GLOBAL_MAX};
  for (int k = 0; k < 5; ++k) {
    auto& c = s.add<rnpu_cmd_pool>(RNPU_OP_POOL);
    c.op = ops[k];
    c.in = td(0x1000, RNPU_DT_FP16, {1, C, H, W});
    if (k < 3) {
      c.flags = k == 2 ? RNPU_POOL_COUNT_PAD : 0;
      c.kernel[0] = KH, c.kernel[1] = KW;
      c.stride[0] = SH, c.stride[1] = SW;
      c.pad[0] = PT, c.pad[1] = PL, c.pad[2] = PB, c.pad[3] = PR;
      c.out = td(0x2000 + 0x100 * uint32_t(k), RNPU_DT_FP16, {1, C, OH, OW});
    } else {
      c.out = td(0x2000 + 0x100 * uint32_t(k), RNPU_DT_FP16, {1, C, 1, 1});
    }
  }
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  auto mx = mem.get<uint16_t>(0x2000, C * OH * OW), avg = mem.get<uint16_t>(0x2100, C * OH * OW),
       avgp = mem.get<uint16_t>(0x2200, C * OH * OW), gavg = mem.get<uint16_t>(0x2300, C),
       gmax = mem.get<uint16_t>(0x2400, C);
  int nan_windows = 0;
  for (uint32_t p = 0; p < C; ++p) {
    for (uint32_t i = 0; i < OH; ++i)
      for (uint32_t j = 0; j < OW; ++j) {
        double m = -INFINITY, sum = 0;  // fp16 sums of <= 6 values are exact in double
        int cnt = 0;
        bool nan = false;
        for (uint32_t a = 0; a < KH; ++a)
          for (uint32_t b = 0; b < KW; ++b) {
            int ih = int(i * SH + a) - int(PT), iw = int(j * SW + b) - int(PL);
            if (ih < 0 || iw < 0 || ih >= int(H) || iw >= int(W)) continue;
            double v = f16(x[(p * H + ih) * W + iw]);
            nan |= std::isnan(v);
            m = std::max(m, v);
            sum += v;
            ++cnt;
          }
        nan_windows += nan;
        size_t o = (p * OH + i) * OW + j;
        std::string at = std::to_string(p) + "," + std::to_string(i) + "," + std::to_string(j);
        expect_fp16(mx[o], nan ? NAN : m, "max " + at);
        expect_fp16(avg[o], nan ? NAN : sum / cnt, "avg " + at);
        expect_fp16(avgp[o], nan ? NAN : sum / (KH * KW), "avg count-pad " + at);
      }
    double sum = 0, m = -INFINITY;
    bool nan = false;
    for (uint32_t i = 0; i < H * W; ++i) {
      double v = f16(x[p * H * W + i]);
      nan |= std::isnan(v);
      sum += v;
      m = std::max(m, v);
    }
    expect_fp16(gavg[p], nan ? NAN : sum / (H * W), "global avg");
    expect_fp16(gmax[p], nan ? NAN : m, "global max");
  }
  EXPECT_GT(nan_windows, 0);
  EXPECT_EQ(gmax[1] & 0x7fff, 0x7e00);
}

// ---- per-channel output quantization ----

TEST(PerChannelOutput, Conv2dInt8StoresEachChannelWithItsScale) {
  const uint32_t C = 3, H = 6, W = 5, OC = 4, K = 3;
  Mem mem;
  std::vector<int8_t> x(C * H * W), w(OC * C * K * K);
  std::vector<int32_t> bias(OC);
  for (auto& v : x) v = r8();
  for (auto& v : w) v = r8();
  for (auto& v : bias) v = int32_t(rng() % 2001) - 1000;
  const std::vector<float> so = {0.05f, 0.1f, 0.2f, 0.4f};
  const std::vector<float> sw = {0.002f, 0.003f, 0.0015f, 0.004f};
  mem.put(0x1000, x);
  mem.put(0x2000, w);
  mem.put(0x3000, bias);
  mem.put(0x3100, so);
  mem.put(0x3200, sw);
  const float sx = 0.04f;
  const int32_t zx = -7, zo = 128;
  Stream s;
  auto& c = s.add<rnpu_cmd_conv2d>(RNPU_OP_CONV2D);
  c.stride[0] = c.stride[1] = 1;
  c.dilation[0] = c.dilation[1] = 1;
  c.pad[0] = c.pad[1] = c.pad[2] = c.pad[3] = 1;
  c.groups = 1;
  c.in = td(0x1000, RNPU_DT_INT8, {1, C, H, W}, sx, zx);
  c.weight = td(0x2000, RNPU_DT_INT8, {OC, C, K, K});
  c.weight.flags = RNPU_TD_PER_CHANNEL;
  c.weight.scale = 0;
  c.weight.qscale_va = 0x3200;
  c.bias = td(0x3000, RNPU_DT_INT32, {OC});
  c.out = td(0x4000, RNPU_DT_UINT8, {1, OC, H, W}, 0, zo);
  c.out.flags = RNPU_TD_PER_CHANNEL;
  c.out.scale = 0;
  c.out.q_axis = 1;
  c.out.qscale_va = 0x3100;
  rnpu_cmd_cost cost;
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r, 0, &cost, 1), RNPU_MS_OK) << r.msg;
  auto y = mem.get<uint8_t>(0x4000, OC * H * W);
  for (uint32_t o = 0; o < OC; ++o)
    for (uint32_t i = 0; i < H; ++i)
      for (uint32_t j = 0; j < W; ++j) {
        int64_t acc = 0;
        for (uint32_t ci = 0; ci < C; ++ci)
          for (uint32_t a = 0; a < K; ++a)
            for (uint32_t b = 0; b < K; ++b) {
              int ih = int(i + a) - 1, iw = int(j + b) - 1;
              if (ih < 0 || iw < 0 || ih >= int(H) || iw >= int(W)) continue;
              acc += int64_t(x[(ci * H + ih) * W + iw] - zx) * w[((o * C + ci) * K + a) * K + b];
            }
        acc += bias[o];
        double v = double(acc) * (double(sx) * double(sw[o]));
        EXPECT_EQ(y[(o * H + i) * W + j], quant(v, double(so[o]), zo, 0, 255))
            << o << "," << i << "," << j;
      }
  // Output bytes: 120 + 4 per-channel scales; weights 108 + 16 scales read.
  EXPECT_EQ(cost.dram_bytes, 90u + 108 + 16 + 16 + 120 + 16);

  // Only axis 1 (OC) may carry the output's channel scales.
  c.out.q_axis = 0;
  std::vector<uint8_t> b = s.bytes();
  EXPECT_EQ(rnpu_model_validate(b.data(), b.size(), &r), RNPU_MS_BAD_PARAM);
  // At run time a scale that is not finite and > 0 is BAD_PARAM, and the
  // command stops there.
  c.out.q_axis = 1;
  mem.put(0x3100, std::vector<float>{0.05f, 0.1f, 0.f, 0.4f});
  EXPECT_EQ(Model().run(s, mem, &r), RNPU_MS_BAD_PARAM);
  EXPECT_EQ(r.err_cmd, 0u);
  mem.put(0x3100, std::vector<float>{0.05f, NAN, 0.2f, 0.4f});
  EXPECT_EQ(Model().run(s, mem, &r), RNPU_MS_BAD_PARAM);
}

TEST(PerChannelOutput, MatmulInt8OnTheNAxis) {
  const uint32_t B = 2, M = 3, K = 20, N = 4;
  Mem mem;
  std::vector<int8_t> a(B * M * K), b(K * N);
  for (auto& v : a) v = r8();
  for (auto& v : b) v = r8();
  const std::vector<float> so = {0.5f, 0.125f, 1.f, 2.f};
  mem.put(0x1000, a);
  mem.put(0x2000, b);
  mem.put(0x3000, so);
  const float sa = 0.03f, sb = 0.02f;
  const int32_t zo = -10;
  Stream s;
  auto& c = s.add<rnpu_cmd_matmul>(RNPU_OP_MATMUL);
  c.a = td(0x1000, RNPU_DT_INT8, {B, M, K}, sa, 0);
  c.b = td(0x2000, RNPU_DT_INT8, {1, K, N}, sb, 0);
  c.out = td(0x4000, RNPU_DT_INT8, {B, M, N}, 0, zo);
  c.out.flags = RNPU_TD_PER_CHANNEL;
  c.out.scale = 0;
  c.out.q_axis = 2;
  c.out.qscale_va = 0x3000;
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  auto y = mem.get<int8_t>(0x4000, B * M * N);
  for (uint32_t bb = 0; bb < B; ++bb)
    for (uint32_t i = 0; i < M; ++i)
      for (uint32_t j = 0; j < N; ++j) {
        int64_t acc = 0;
        for (uint32_t k = 0; k < K; ++k) acc += int64_t(a[(bb * M + i) * K + k]) * b[k * N + j];
        double v = mm_int8_ref(acc, 0, double(sa), double(sb));
        EXPECT_EQ(y[(bb * M + i) * N + j], quant(v, double(so[j]), zo, -128, 127))
            << bb << "," << i << "," << j;
      }
  c.out.q_axis = 1;  // M is not a channel axis
  std::vector<uint8_t> bytes = s.bytes();
  EXPECT_EQ(rnpu_model_validate(bytes.data(), bytes.size(), &r), RNPU_MS_BAD_PARAM);
}

TEST(PerChannelOutput, DmaConvertsThroughEachChannelsScale) {
  // fp32 [3,4] -> int8 per-channel on axis 0 -> fp32, and -> uint8 per-channel on axis 1.
  Mem mem;
  std::vector<float> x = {0.3f, -1.7f, 5.f,   100.f, 0.26f, -0.125f,
                          2.f,  -40.f, 0.03f, 1.f,   -0.5f, 0.0625f};
  const std::vector<float> s0 = {0.5f, 0.25f, 0.0625f}, s1 = {0.1f, 0.2f, 0.3f, 0.4f};
  mem.put(0x1000, x);
  mem.put(0x1100, s0);
  mem.put(0x1200, s1);
  auto pc = [](rnpu_tensor_desc t, uint8_t axis, uint64_t va) {
    t.flags = RNPU_TD_PER_CHANNEL;
    t.scale = 0;
    t.q_axis = axis;
    t.qscale_va = va;
    return t;
  };
  Stream s;
  auto& a = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  a.src = td(0x1000, RNPU_DT_FP32, {3, 4});
  a.dst = pc(td(0x2000, RNPU_DT_INT8, {3, 4}, 0, -1), 0, 0x1100);
  auto& b = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  b.src = pc(td(0x2000, RNPU_DT_INT8, {3, 4}, 0, -1), 0, 0x1100);
  b.dst = td(0x3000, RNPU_DT_FP32, {3, 4});
  auto& c = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  c.src = td(0x1000, RNPU_DT_FP32, {3, 4});
  c.dst = pc(td(0x4000, RNPU_DT_UINT8, {3, 4}, 0, 10), 1, 0x1200);
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_OK) << r.msg;
  auto q = mem.get<int8_t>(0x2000, 12);
  auto back = mem.get<float>(0x3000, 12);
  auto u = mem.get<uint8_t>(0x4000, 12);
  for (size_t i = 0; i < 12; ++i) {
    int32_t want = quant(x[i], double(s0[i / 4]), -1, -128, 127);
    EXPECT_EQ(q[i], want) << i;
    EXPECT_EQ(back[i], float(double(s0[i / 4]) * (want + 1))) << i;
    EXPECT_EQ(u[i], quant(x[i], double(s1[i % 4]), 10, 0, 255)) << i;
  }
  // Hand-checked: 100 / 0.5 saturates to 127; -40 / 0.25 to -128;
  // 0.26 / 0.25 = 1.04 -> 1 - 1 = 0.
  EXPECT_EQ(q[3], 127);
  EXPECT_EQ(q[7], -128);
  EXPECT_EQ(q[4], 0);
}

}  // namespace
}  // namespace hwtest
