// NO_MEMORY (hw/SPEC.md §8.3: a model-internal resource failure): every
// allocation the golden model makes is made to fail in turn, through
// -Wl,--wrap=malloc/calloc/free on this binary (only the model's objects,
// linked statically, are affected; the wrappers pass through unless armed).
// Each failure must stop the job at the command that allocates with
// NO_MEMORY, keep the earlier commands' writes, count the failed command's
// issue slot only, and free everything it had allocated; a later run
// without the failure gives the same results as an undisturbed one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>

#include "hw_util.h"

// ---- the wrappers ----

extern "C" {
void* __real_malloc(size_t n);
void* __real_calloc(size_t n, size_t m);
void __real_free(void* p);
}

namespace {

// Plain constant-initialised state: the wrappers may run before main.
bool g_armed = false;
long g_calls = 0;     // allocations seen while armed
long g_fail_at = -1;  // fail this one (0-based), -1: none
constexpr int kMaxLive = 4096;
void* g_live[kMaxLive];
int g_nlive = 0;
bool g_overflow = false;

void* track(void* p) {
  if (!p) return p;
  if (g_nlive < kMaxLive)
    g_live[g_nlive++] = p;
  else
    g_overflow = true;
  return p;
}

bool fail_now() {
  if (!g_armed) return false;
  return g_calls++ == g_fail_at;
}

}  // namespace

extern "C" void* __wrap_malloc(size_t n) {
  if (fail_now()) return nullptr;
  void* p = __real_malloc(n);
  return g_armed ? track(p) : p;
}

extern "C" void* __wrap_calloc(size_t n, size_t m) {
  if (fail_now()) return nullptr;
  void* p = __real_calloc(n, m);
  return g_armed ? track(p) : p;
}

extern "C" void __wrap_free(void* p) {
  if (p && g_armed)
    for (int i = 0; i < g_nlive; ++i)
      if (g_live[i] == p) {
        g_live[i] = g_live[--g_nlive];
        break;
      }
  __real_free(p);
}

namespace hwtest {
namespace {

// Arms the wrappers for the scope: allocation number fail_at fails.
struct Armed {
  explicit Armed(long fail_at) {
    g_calls = 0;
    g_fail_at = fail_at;
    g_nlive = 0;
    g_overflow = false;
    g_armed = true;
  }
  ~Armed() { g_armed = false; }
  long calls() const { return g_calls; }
  int live() const { return g_nlive; }
};

// A stream of [marker DMA, op]: the marker copies 16 bytes 0x100 -> 0x200,
// so a failure in the op shows that earlier writes stay done.
struct Case {
  const char* name;
  std::function<void(Stream&)> op;
};

void marker(Stream& s) {
  auto& d = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
  d.src = td(0x100, RNPU_DT_INT8, {16});
  d.dst = td(0x200, RNPU_DT_INT8, {16});
}

rnpu_tensor_desc per_channel(rnpu_tensor_desc t, uint8_t axis, uint64_t va) {
  t.flags = RNPU_TD_PER_CHANNEL;
  t.scale = 0;
  t.q_axis = axis;
  t.qscale_va = va;
  return t;
}

// Inputs live at 0x1000.., per-channel scales (all 0.01) at 0x8000, outputs at 0x10000.
std::vector<Case> cases() {
  return {
      {"dma_convert_per_channel",
       [](Stream& s) {
         auto& c = s.add<rnpu_cmd_dma>(RNPU_OP_DMA);
         c.src = td(0x1000, RNPU_DT_FP16, {4, 8});
         c.dst = per_channel(td(0x10000, RNPU_DT_INT8, {4, 8}), 0, 0x8000);
       }},
      {"conv_int8_per_channel_bias",
       [](Stream& s) {
         auto& c = s.add<rnpu_cmd_conv2d>(RNPU_OP_CONV2D);
         c.stride[0] = c.stride[1] = c.dilation[0] = c.dilation[1] = 1;
         c.pad[0] = c.pad[1] = c.pad[2] = c.pad[3] = 1;
         c.groups = 1;
         c.in = td(0x1000, RNPU_DT_INT8, {1, 2, 5, 5}, 0.1f, 0);
         c.weight = per_channel(td(0x2000, RNPU_DT_INT8, {3, 2, 3, 3}), 0, 0x8000);
         c.bias = td(0x3000, RNPU_DT_INT32, {3});
         c.out = per_channel(td(0x10000, RNPU_DT_INT8, {1, 3, 5, 5}), 1, 0x8000);
       }},
      {"conv_fp16",
       [](Stream& s) {
         auto& c = s.add<rnpu_cmd_conv2d>(RNPU_OP_CONV2D);
         c.stride[0] = c.stride[1] = c.dilation[0] = c.dilation[1] = 1;
         c.groups = 1;
         c.in = td(0x1000, RNPU_DT_FP16, {1, 2, 4, 4});
         c.weight = td(0x2000, RNPU_DT_FP16, {2, 2, 3, 3});
         c.bias = td(0x3000, RNPU_DT_FP32, {2});
         c.out = td(0x10000, RNPU_DT_FP16, {1, 2, 2, 2});
       }},
      {"matmul_int8_bias",
       [](Stream& s) {
         auto& c = s.add<rnpu_cmd_matmul>(RNPU_OP_MATMUL);
         c.a = td(0x1000, RNPU_DT_INT8, {2, 3, 8}, 0.1f, 0);
         c.b = td(0x2000, RNPU_DT_INT8, {1, 8, 4}, 0.1f, 0);
         c.bias = td(0x3000, RNPU_DT_INT32, {4});
         c.out = td(0x10000, RNPU_DT_INT8, {2, 3, 4}, 0.5f, 0);
       }},
      {"matmul_fp16",
       [](Stream& s) {
         auto& c = s.add<rnpu_cmd_matmul>(RNPU_OP_MATMUL);
         c.flags = RNPU_MATMUL_TRANS_B;
         c.a = td(0x1000, RNPU_DT_FP16, {3, 8});
         c.b = td(0x2000, RNPU_DT_FP16, {4, 8});
         c.out = td(0x10000, RNPU_DT_FP16, {3, 4});
       }},
      {"eltwise",
       [](Stream& s) {
         auto& c = s.add<rnpu_cmd_eltwise>(RNPU_OP_ELTWISE);
         c.op = RNPU_ELT_MUL;
         c.a = td(0x1000, RNPU_DT_INT8, {2, 8}, 0.1f, 0);
         c.b = td(0x2000, RNPU_DT_UINT8, {1, 8}, 0.1f, 128);
         c.out = td(0x10000, RNPU_DT_INT8, {2, 8}, 0.1f, 0);
       }},
      {"act",
       [](Stream& s) {
         auto& c = s.add<rnpu_cmd_act>(RNPU_OP_ACT);
         c.act.func = RNPU_ACT_SIGMOID;
         c.in = td(0x1000, RNPU_DT_FP16, {32});
         c.out = td(0x10000, RNPU_DT_FP16, {32});
       }},
      {"pool",
       [](Stream& s) {
         auto& c = s.add<rnpu_cmd_pool>(RNPU_OP_POOL);
         c.op = RNPU_POOL_AVG;
         c.kernel[0] = c.kernel[1] = 2;
         c.stride[0] = c.stride[1] = 2;
         c.in = td(0x1000, RNPU_DT_FP16, {1, 2, 4, 4});
         c.out = td(0x10000, RNPU_DT_FP16, {1, 2, 2, 2});
       }},
      {"softmax",
       [](Stream& s) {
         auto& c = s.add<rnpu_cmd_softmax>(RNPU_OP_SOFTMAX);
         c.axis = 1;
         c.in = td(0x1000, RNPU_DT_FP16, {3, 7});
         c.out = td(0x10000, RNPU_DT_FP16, {3, 7});
       }},
      {"layernorm_gamma_beta",
       [](Stream& s) {
         auto& c = s.add<rnpu_cmd_layernorm>(RNPU_OP_LAYERNORM);
         c.in = td(0x1000, RNPU_DT_FP16, {2, 8});
         c.gamma = td(0x2000, RNPU_DT_FP16, {8});
         c.beta = td(0x3000, RNPU_DT_FP16, {8});
         c.out = td(0x10000, RNPU_DT_FP16, {2, 8});
       }},
      {"resize_bilinear",
       [](Stream& s) {
         auto& c = s.add<rnpu_cmd_resize>(RNPU_OP_RESIZE);
         c.mode = RNPU_RESIZE_BILINEAR;
         c.scale[0] = c.scale[1] = fbits(2.f);
         c.in = td(0x1000, RNPU_DT_FP16, {1, 2, 3, 3});
         c.out = td(0x10000, RNPU_DT_FP16, {1, 2, 6, 6});
       }},
  };
}

Mem fresh() {
  Mem mem;
  for (size_t i = 0; i < 0x8000; ++i) mem.b[i] = uint8_t((i * 37) >> 3);
  for (size_t i = 0x100; i < 0x110; ++i) mem.b[i] = uint8_t(i);
  std::vector<float> scales(64, 0.01f);
  mem.put(0x8000, scales);
  return mem;
}

TEST(NoMemory, EveryAllocationFailureStopsAtItsCommandAndLeaksNothing) {
  Model m;
  ASSERT_NE(m.m, nullptr);
  for (const Case& k : cases()) {
    SCOPED_TRACE(k.name);
    Stream only_marker;
    marker(only_marker);
    Stream s;
    marker(s);
    k.op(s);

    // Undisturbed runs: the marker's allocations, then the whole stream's.
    rnpu_model_result r;
    long marker_allocs, total_allocs;
    {
      Mem mem = fresh();
      Armed a(-1);
      ASSERT_EQ(m.run(only_marker, mem, &r), RNPU_MS_OK) << r.msg;
      marker_allocs = a.calls();
    }
    Mem good = fresh();
    rnpu_cmd_cost costs[2];
    {
      Armed a(-1);
      ASSERT_EQ(m.run(s, good, &r, 0, costs, 2), RNPU_MS_OK) << r.msg;
      total_allocs = a.calls();
      EXPECT_EQ(a.live(), 0);
    }
    ASSERT_GT(marker_allocs, 0);
    ASSERT_GT(total_allocs, marker_allocs);  // the op allocates scratch

    for (long f = 0; f < total_allocs; ++f) {
      SCOPED_TRACE("allocation " + std::to_string(f));
      Mem mem = fresh();
      rnpu_model_status st;
      int live;
      {
        Armed a(f);
        st = m.run(s, mem, &r);
        live = a.live();
      }
      EXPECT_FALSE(g_overflow);
      EXPECT_EQ(st, RNPU_MS_NO_MEMORY) << r.msg;
      EXPECT_EQ(r.status, RNPU_MS_NO_MEMORY);
      EXPECT_EQ(live, 0) << "allocations left behind";
      EXPECT_NE(std::string(r.msg).find("memory"), std::string::npos) << r.msg;
      uint32_t cmd = f < marker_allocs ? 0 : 1;
      EXPECT_EQ(r.err_cmd, cmd);
      EXPECT_EQ(r.err_offset, s.offset(cmd));
      EXPECT_EQ(r.num_cmds, cmd);
      // Executed commands' cycles plus the failed command's issue slot.
      EXPECT_EQ(r.cycles, (cmd ? costs[0].cycles : 0) + 64);
      std::vector<uint8_t> mk = mem.get<uint8_t>(0x200, 16);
      ASSERT_NE(good.get<uint8_t>(0x200, 16), fresh().get<uint8_t>(0x200, 16));
      if (cmd)
        EXPECT_EQ(mk, good.get<uint8_t>(0x200, 16)) << "the marker's write was lost";
      else
        EXPECT_EQ(mk, fresh().get<uint8_t>(0x200, 16)) << "the marker ran";
    }
    // Nothing sticks: the same stream runs as before.
    Mem again = fresh();
    ASSERT_EQ(m.run(s, again, &r), RNPU_MS_OK) << r.msg;
    EXPECT_EQ(again.b, good.b);
  }
}

TEST(NoMemory, CreateFailsCleanly) {
  rnpu_model_config c;
  rnpu_model_default_config(&c);
  long n;
  {
    Armed a(-1);
    rnpu_model* m = rnpu_model_create(&c);
    ASSERT_NE(m, nullptr);
    rnpu_model_destroy(m);
    n = a.calls();
    EXPECT_EQ(a.live(), 0);
  }
  ASSERT_GE(n, 2);  // the model and its SRAM
  for (long f = 0; f < n; ++f) {
    Armed a(f);
    EXPECT_EQ(rnpu_model_create(&c), nullptr) << f;
    EXPECT_EQ(a.live(), 0) << f;
  }
  // What a caller holding the NULL gets from a run: NO_MEMORY, nothing run.
  Stream s;
  s.sync();
  Mem mem;
  rnpu_model_result r;
  std::vector<uint8_t> b = s.bytes();
  rnpu_mem_ops ops = mem.ops();
  EXPECT_EQ(rnpu_model_run(nullptr, b.data(), b.size(), &ops, 0, &r, nullptr, 0),
            RNPU_MS_NO_MEMORY);
  EXPECT_EQ(r.num_cmds, 0u);
}

}  // namespace
}  // namespace hwtest
