// The golden model's timing figures, watchdog, memory faults, aliasing,
// the SRAM window and every class of malformed stream (hw/SPEC.md §8.3, §9).
#include <gtest/gtest.h>

#include "hw_util.h"

namespace hwtest {
namespace {

rnpu_cmd_conv2d& conv3x3(Stream& s, uint64_t in, uint64_t out) {
  auto& c = s.add<rnpu_cmd_conv2d>(RNPU_OP_CONV2D);
  c.stride[0] = c.stride[1] = 1;
  c.dilation[0] = c.dilation[1] = 1;
  c.pad[0] = c.pad[1] = c.pad[2] = c.pad[3] = 1;
  c.groups = 1;
  c.in = td(in, RNPU_DT_INT8, {1, 32, 56, 56});
  c.weight = td(0x80000, RNPU_DT_INT8, {32, 32, 3, 3});
  c.out = td(out, RNPU_DT_INT8, {1, 32, 56, 56});
  return c;
}

TEST(Timing, ConvFormulaAndPerCommandCosts) {
  Mem mem(2 << 20);
  Stream s;
  conv3x3(s, 0x1000, 0x40000);
  s.nop();
  rnpu_cmd_cost costs[2];
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r, 0, costs, 2), RNPU_MS_OK) << r.msg;
  // L = 288 -> 9 row passes, 32 outputs in one column pass, 56*56 pixels.
  EXPECT_EQ(costs[0].compute_cycles, 56u * 56 * 9);
  EXPECT_EQ(costs[0].dram_bytes, 2u * 32 * 56 * 56 + 32 * 32 * 9);
  EXPECT_EQ(costs[0].mem_cycles, (2u * 32 * 56 * 56 + 32 * 32 * 9 + 31) / 32);
  EXPECT_EQ(costs[0].cycles, 64u + 56 * 56 * 9);
  EXPECT_EQ(costs[0].macs, 56ull * 56 * 32 * 288);
  EXPECT_EQ(costs[1].cycles, 64u);
  EXPECT_EQ(costs[1].offset, s.offset(1));
  EXPECT_EQ(r.cycles, costs[0].cycles + 64);
  EXPECT_EQ(r.num_cmds, 2u);
  EXPECT_EQ(r.dram_rd_bytes, 32u * 56 * 56 + 32 * 32 * 9);
  EXPECT_EQ(r.dram_wr_bytes, 32u * 56 * 56);
}

// rnpu_model_estimate: the same totals as a run, from the descriptors
// alone (no memory touched), and the same rejection of a bad stream.
TEST(Timing, EstimateEqualsRunWithoutExecuting) {
  Mem mem(2 << 20);
  Stream s;
  conv3x3(s, 0x1000, 0x40000);
  s.nop();
  rnpu_model_result run, est;
  ASSERT_EQ(Model().run(s, mem, &run, 0, nullptr, 0), RNPU_MS_OK) << run.msg;
  rnpu_model_config cfg;
  rnpu_model_default_config(&cfg);
  std::vector<uint8_t> b = s.bytes();
  ASSERT_EQ(rnpu_model_estimate(&cfg, b.data(), b.size(), &est), RNPU_MS_OK) << est.msg;
  EXPECT_EQ(est.cycles, run.cycles);
  EXPECT_EQ(est.compute_cycles, run.compute_cycles);
  EXPECT_EQ(est.macs, run.macs);
  EXPECT_EQ(est.dram_rd_bytes, run.dram_rd_bytes);
  EXPECT_EQ(est.dram_wr_bytes, run.dram_wr_bytes);
  EXPECT_EQ(est.num_cmds, run.num_cmds);
  b[0] ^= 1;  // magic
  EXPECT_EQ(rnpu_model_estimate(&cfg, b.data(), b.size(), &est), RNPU_MS_BAD_HEADER);
}

TEST(Timing, SramTrafficAndFp16HalfRate) {
  Mem mem;
  Stream s;
  auto& c = s.add<rnpu_cmd_eltwise>(RNPU_OP_ELTWISE);
  c.op = RNPU_ELT_ADD;
  c.a = td(RNPU_SRAM_VA, RNPU_DT_FP16, {4096});
  c.b = td(RNPU_SRAM_VA, RNPU_DT_FP16, {1});  // broadcast: fetched once
  c.b.strides[0] = 0;
  c.b.dims[0] = 4096;
  c.out = td(RNPU_SRAM_VA + 0x10000, RNPU_DT_FP16, {4096});
  rnpu_cmd_cost cost;
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r, 0, &cost, 1), RNPU_MS_OK) << r.msg;
  EXPECT_EQ(cost.compute_cycles, 4096u / 32);  // 32 fp16 lanes
  EXPECT_EQ(cost.sram_bytes, 2u * 4096 + 2 + 2 * 4096);
  EXPECT_EQ(cost.dram_bytes, 0u);
  EXPECT_EQ(r.sram_bytes, cost.sram_bytes);
}

TEST(Watchdog, StopsBeforeTheCommandAndCountsTheBudget) {
  Mem mem(2 << 20);
  std::vector<int8_t> marker(32 * 56 * 56, 7);
  mem.put(0x40000, marker);
  Stream s;
  s.nop();
  conv3x3(s, 0x1000, 0x40000);
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r, 1000), RNPU_MS_WATCHDOG);
  EXPECT_EQ(r.cycles, 1000u);
  EXPECT_EQ(r.err_cmd, 1u);
  EXPECT_EQ(r.err_offset, s.offset(1));
  EXPECT_EQ(mem.get<int8_t>(0x40000, 4), (std::vector<int8_t>{7, 7, 7, 7}));
  ASSERT_EQ(Model().run(s, mem, &r, 1000000), RNPU_MS_OK);
}

TEST(Execution, FaultKeepsEarlierWritesAndReportsTheAddress) {
  Mem mem;
  mem.fault_lo = 0x9000;
  mem.fault_hi = 0xa000;
  std::vector<int8_t> x = {1, 2, 3, 4};
  mem.put(0x1000, x);
  Stream s;
  auto& a = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  a.src = td(0x1000, RNPU_DT_INT8, {4});
  a.dst = td(0x2000, RNPU_DT_INT8, {4});
  auto& b = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  b.src = td(0x1000, RNPU_DT_INT8, {4});
  b.dst = td(0x9000, RNPU_DT_INT8, {4});
  rnpu_model_result r;
  ASSERT_EQ(Model().run(s, mem, &r), RNPU_MS_MEM_FAULT);
  EXPECT_EQ(r.fault_va, 0x9000u);
  EXPECT_EQ(r.err_cmd, 1u);
  EXPECT_EQ(mem.get<int8_t>(0x2000, 4), x);
}

TEST(Execution, InPlaceAndSramWindow) {
  Model m;
  Mem mem;
  auto* sram = static_cast<uint16_t*>(rnpu_model_sram(m.m));
  for (int i = 0; i < 8; ++i) sram[i] = h16(i - 4);
  Stream s;
  auto& c = s.add<rnpu_cmd_act>(RNPU_OP_ACT);
  c.act.func = RNPU_ACT_RELU;
  c.in = td(RNPU_SRAM_VA, RNPU_DT_FP16, {8});
  c.out = td(RNPU_SRAM_VA, RNPU_DT_FP16, {8});
  rnpu_model_result r;
  ASSERT_EQ(m.run(s, mem, &r), RNPU_MS_OK) << r.msg;
  for (int i = 0; i < 8; ++i) EXPECT_EQ(sram[i], h16(std::max(i - 4, 0)));
}

// A valid one-DMA stream, then one corruption per case.
std::vector<uint8_t> good() {
  Stream s;
  auto& a = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  a.src = td(0x1000, RNPU_DT_INT8, {16});
  a.dst = td(0x2000, RNPU_DT_INT8, {16});
  return s.bytes();
}

rnpu_model_status check(const std::vector<uint8_t>& b, rnpu_model_result* r) {
  rnpu_model_status v = rnpu_model_validate(b.data(), b.size(), r);
  Model m;
  Mem mem;
  rnpu_mem_ops ops = mem.ops();
  rnpu_model_result rr;
  EXPECT_EQ(rnpu_model_run(m.m, b.data(), b.size(), &ops, 0, &rr, nullptr, 0), v) << rr.msg;
  return v;
}

template <class T>
void set(std::vector<uint8_t>& b, size_t at, T v) {
  std::memcpy(&b[at], &v, sizeof v);
}

constexpr size_t kCmd = 32, kSrc = kCmd + 8, kDst = kCmd + 72;

TEST(Validate, HeaderClasses) {
  rnpu_model_result r;
  std::vector<uint8_t> b = good();
  EXPECT_EQ(check(b, &r), RNPU_MS_OK);
  EXPECT_EQ(check(std::vector<uint8_t>(b.begin(), b.begin() + 31), &r), RNPU_MS_TRUNCATED);
  auto mod = [&](auto f) {
    std::vector<uint8_t> c = b;
    f(c);
    return check(c, &r);
  };
  EXPECT_EQ(mod([](auto& c) { c[0] ^= 1; }), RNPU_MS_BAD_HEADER);
  EXPECT_EQ(mod([](auto& c) { set<uint16_t>(c, 6, 36); }), RNPU_MS_BAD_HEADER);
  EXPECT_EQ(mod([](auto& c) { set<uint16_t>(c, 4, 0); }), RNPU_MS_BAD_HEADER);
  EXPECT_EQ(mod([](auto& c) { set<uint16_t>(c, 4, 2); }), RNPU_MS_BAD_VERSION);
  EXPECT_EQ(mod([](auto& c) { set<uint32_t>(c, 16, 1); }), RNPU_MS_BAD_HEADER);
  EXPECT_EQ(mod([](auto& c) { set<uint32_t>(c, 24, 1); }), RNPU_MS_RESERVED);
  EXPECT_EQ(mod([](auto& c) { set<uint32_t>(c, 8, 16); }), RNPU_MS_BAD_HEADER);
  EXPECT_EQ(mod([](auto& c) { set<uint32_t>(c, 8, uint32_t(c.size() + 4)); }), RNPU_MS_TRUNCATED);
  EXPECT_EQ(mod([](auto& c) { set<uint32_t>(c, 12, 2); }), RNPU_MS_BAD_HEADER);
  EXPECT_EQ(mod([](auto& c) { set<uint32_t>(c, 12, 0); }), RNPU_MS_BAD_HEADER);
  EXPECT_EQ(r.err_offset, 32u);
}

TEST(Validate, CommandClasses) {
  rnpu_model_result r;
  std::vector<uint8_t> b = good();
  auto mod = [&](auto f) {
    std::vector<uint8_t> c = b;
    f(c);
    return check(c, &r);
  };
  EXPECT_EQ(mod([](auto& c) { set<uint16_t>(c, kCmd, 99); }), RNPU_MS_BAD_OPCODE);
  EXPECT_EQ(r.err_offset, kCmd);
  EXPECT_EQ(r.err_cmd, 0u);
  EXPECT_EQ(mod([](auto& c) { set<uint16_t>(c, kCmd + 2, 6); }), RNPU_MS_BAD_SIZE);
  EXPECT_EQ(mod([](auto& c) { set<uint16_t>(c, kCmd + 2, 132); }), RNPU_MS_BAD_SIZE);
  EXPECT_EQ(mod([](auto& c) { set<uint16_t>(c, kCmd + 2, 140); }), RNPU_MS_TRUNCATED);
  EXPECT_EQ(mod([](auto& c) { set<uint32_t>(c, kCmd + 4, 1); }), RNPU_MS_RESERVED);
  EXPECT_EQ(mod([](auto& c) { c[kSrc + 40] = 9; }), RNPU_MS_BAD_DTYPE);
  EXPECT_EQ(mod([](auto& c) { c[kSrc + 41] = 5; }), RNPU_MS_BAD_SHAPE);
  EXPECT_EQ(mod([](auto& c) { set<uint32_t>(c, kSrc + 8, 0); }), RNPU_MS_BAD_SHAPE);
  EXPECT_EQ(mod([](auto& c) { set<uint32_t>(c, kDst + 8, 17); }), RNPU_MS_BAD_SHAPE);
  EXPECT_EQ(mod([](auto& c) { set<uint32_t>(c, kSrc + 44, 0); }), RNPU_MS_BAD_PARAM);  // scale 0
  EXPECT_EQ(mod([](auto& c) { set<int32_t>(c, kSrc + 48, 200); }), RNPU_MS_BAD_PARAM);
  EXPECT_EQ(mod([](auto& c) { set<uint32_t>(c, kSrc + 52, 1); }), RNPU_MS_RESERVED);
  EXPECT_EQ(mod([](auto& c) { c[kSrc + 43] = 0x80; }), RNPU_MS_RESERVED);
  EXPECT_EQ(mod([](auto& c) { set<uint32_t>(c, kDst + 24, 0); }), RNPU_MS_BAD_PARAM);  // out bcast
  // Extents: 2^24 elements in 4 dims with strides near 2^32 overflow 64 bits.
  EXPECT_EQ(mod([](auto& c) {
              c[kSrc + 41] = 4;
              for (int k = 0; k < 4; ++k) {
                set<uint32_t>(c, kSrc + 8 + 4 * k, k < 2 ? 4096 : 1);
                set<uint32_t>(c, kSrc + 24 + 4 * k, 0xfffffff0u);
              }
              set<uint32_t>(c, kSrc + 16, 1);
              set<uint32_t>(c, kSrc + 20, 1);
              c[kDst + 41] = 4;
              set<uint32_t>(c, kDst + 8, 4096);
              set<uint32_t>(c, kDst + 12, 4096);
              set<uint32_t>(c, kDst + 24, 4096);
              set<uint32_t>(c, kDst + 28, 1);
            }),
            RNPU_MS_ADDR_RANGE);
  EXPECT_EQ(mod([](auto& c) { set<uint64_t>(c, kSrc, 0xfffffffffffffff8ull); }), RNPU_MS_OVERFLOW);
  EXPECT_EQ(mod([](auto& c) { set<uint64_t>(c, kSrc, 1ull << 39); }), RNPU_MS_ADDR_RANGE);
  EXPECT_EQ(r.fault_va, 1ull << 39);
  EXPECT_EQ(mod([](auto& c) { set<uint64_t>(c, kSrc, RNPU_SRAM_VA - 8); }), RNPU_MS_ADDR_RANGE);
  // Inside the largest window validate() accepts, beyond the 1 MiB the model has.
  std::vector<uint8_t> c = b;
  set<uint64_t>(c, kSrc, RNPU_SRAM_VA + (2u << 20));
  EXPECT_EQ(rnpu_model_validate(c.data(), c.size(), &r), RNPU_MS_OK);
  Model m;
  Mem mem;
  rnpu_mem_ops ops = mem.ops();
  EXPECT_EQ(rnpu_model_run(m.m, c.data(), c.size(), &ops, 0, &r, nullptr, 0), RNPU_MS_ADDR_RANGE);
}

TEST(Validate, OpParameters) {
  rnpu_model_result r;
  Stream s;
  auto& c = s.add<rnpu_cmd_conv2d>(RNPU_OP_CONV2D);
  c.stride[0] = c.stride[1] = 1;
  c.dilation[0] = c.dilation[1] = 1;
  c.groups = 3;  // 4 channels do not divide into 3 groups
  c.in = td(0x1000, RNPU_DT_INT8, {1, 4, 5, 5});
  c.weight = td(0x2000, RNPU_DT_INT8, {6, 1, 3, 3});
  c.out = td(0x3000, RNPU_DT_INT8, {1, 6, 3, 3});
  std::vector<uint8_t> b = s.bytes();
  EXPECT_EQ(rnpu_model_validate(b.data(), b.size(), &r), RNPU_MS_BAD_SHAPE);
  c.groups = 0;
  b = s.bytes();
  EXPECT_EQ(rnpu_model_validate(b.data(), b.size(), &r), RNPU_MS_BAD_PARAM);
  c.groups = 1;
  c.weight = td(0x2000, RNPU_DT_INT8, {6, 4, 3, 3});
  c.act.func = RNPU_ACT_COUNT;
  b = s.bytes();
  EXPECT_EQ(rnpu_model_validate(b.data(), b.size(), &r), RNPU_MS_BAD_PARAM);
  c.act.func = RNPU_ACT_RELU;
  c.act.p0 = fbits(1.f);  // RELU takes no parameter
  b = s.bytes();
  EXPECT_EQ(rnpu_model_validate(b.data(), b.size(), &r), RNPU_MS_RESERVED);
  c.act.p0 = 0;
  b = s.bytes();
  b[32 + 36] = 1;  // padding after the activation parameters
  EXPECT_EQ(rnpu_model_validate(b.data(), b.size(), &r), RNPU_MS_RESERVED);
  b = s.bytes();
  EXPECT_EQ(rnpu_model_validate(b.data(), b.size(), &r), RNPU_MS_OK) << r.msg;
  c.out = td(0x3000, RNPU_DT_FP16, {1, 6, 3, 3});
  b = s.bytes();
  EXPECT_EQ(rnpu_model_validate(b.data(), b.size(), &r), RNPU_MS_BAD_DTYPE);
}

TEST(Validate, StatusNames) {
  const char* want[] = {"ok",       "truncated",  "bad-header", "bad-version", "bad-opcode",
                        "bad-size", "reserved",   "bad-dtype",  "bad-shape",   "bad-param",
                        "overflow", "addr-range", "mem-fault",  "watchdog",    "no-memory"};
  for (int i = 0; i < RNPU_MS_COUNT; ++i)
    EXPECT_STREQ(rnpu_model_status_name(rnpu_model_status(i)), want[i]);
  EXPECT_STREQ(rnpu_model_status_name(RNPU_MS_COUNT), "unknown");
}

}  // namespace
}  // namespace hwtest
