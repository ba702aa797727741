// The NPU code generator and the sim backend: streams the golden model
// accepts, command selection, SRAM/DRAM placement, relocation, saved
// programs, artifacts and the roofline report.  Numerical agreement per op
// is the backend conformance suite's job (sim and npu are instantiated
// there); here whole small graphs are checked against the cpu backend.
#include "npu/codegen.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>

#include "artifact/artifact.h"
#include "onnx/importer.h"
#include "passes/pipeline.h"
#include "rnpu_model.h"
#include "runtime/session_impl.h"
#include "support/graph_builder.h"

namespace rnpu {
namespace {

using test::attr_i;
using test::attr_ints;
using test::ModelBuilder;

std::vector<float> randv(size_t n, unsigned seed, float scale = 1.f) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

// conv(3x3, 8 -> 16, pad 1) + relu -> maxpool 2x2 on [1, 8, H, H].
std::string conv_model(int64_t h) {
  ModelBuilder m;
  m.input("x", {1, 8, h, h}).output("y");
  m.init("w", {16, 8, 3, 3}, randv(16 * 8 * 9, 1, 0.2f)).init("b", {16}, randv(16, 2));
  attr_ints(m.node("Conv", {"x", "w", "b"}, {"c"}, "conv"), "pads", {1, 1, 1, 1});
  m.node("Relu", {"c"}, {"r"}, "relu");
  auto& p = m.node("MaxPool", {"r"}, {"y"}, "pool");
  attr_ints(p, "kernel_shape", {2, 2});
  attr_ints(p, "strides", {2, 2});
  return m.bytes();
}

// The graph as the sim backend's partition sees it: the canonical
// pipeline, then the backend's own optimize() (QDQ folding, fusion).
ir::Graph lowered(const std::string& bytes) {
  ir::Graph g = onnx::import_model(bytes.data(), bytes.size());
  passes::run_pipeline(g, {});
  BackendRegistry::instance().get("sim")->optimize(g);
  g.compact();
  return g;
}

// A session through librnpu's internal runtime::SessionCore, with the
// methods of rnpu::Session this file uses.  Not rnpu::Session itself: the
// public rnpu.hpp includes the C API's rnpu.h, whose rnpu_dtype and
// RNPU_MAX_RANK clash with those of the hardware command-stream header
// (rnpu_cmd.h) that npu/codegen.h brings in.
class Session {
 public:
  static Session load_memory(const void* data, size_t size, const Options& opts) {
    return Session(runtime::SessionCore::load_memory(data, size, opts));
  }
  void set_input(size_t i, const void* data, size_t size, std::span<const int64_t> shape) {
    c_->exec().set_input(i, data, size, shape);
  }
  void run() { c_->exec().run(); }
  TensorView output(size_t i) const { return c_->exec().output(i); }
  std::vector<NpuReport> npu_reports() const { return c_->exec().npu_reports(); }
  std::vector<OpProfile> profile() const { return c_->exec().profile(); }
  const std::vector<PartitionDecision>& partition_report() const { return c_->exec().decisions(); }
  std::vector<uint8_t> compiled_bytes() const { return c_->compiled_bytes(); }
  size_t programs_loaded() const { return c_->exec().programs_loaded(); }

 private:
  explicit Session(std::unique_ptr<runtime::SessionCore> c) : c_(std::move(c)) {}
  std::unique_ptr<runtime::SessionCore> c_;
};

std::vector<uint16_t> opcodes(const npu::Program& p) {
  std::vector<uint16_t> ops;
  for (const npu::CmdOrigin& c : p.cmds) {
    uint16_t op;
    std::memcpy(&op, &p.stream[c.offset], 2);
    ops.push_back(op);
  }
  return ops;
}

std::vector<float> run(const std::string& model, const std::string& backend,
                       const std::vector<float>& x, std::vector<int64_t> shape,
                       Session* keep = nullptr) {
  Options o;
  o.backends = {backend};
  o.allow_fallback = false;
  Session s = Session::load_memory(model.data(), model.size(), o);
  s.set_input(0, x.data(), x.size() * 4, shape);
  s.run();
  TensorView y = s.output(0);
  const float* f = static_cast<const float*>(y.data);
  std::vector<float> out(f, f + y.size / 4);
  if (keep) *keep = std::move(s);
  return out;
}

double max_err(const std::vector<float>& a, const std::vector<float>& b) {
  double e = 0;
  for (size_t i = 0; i < a.size(); ++i) e = std::max(e, double(std::fabs(a[i] - b[i])));
  return e;
}

// model on sim with RNPU_NPU_TILING=mode gives bit for bit what the
// untiled stream gives, and agrees with the cpu backend.
void expect_tiling_exact(const std::string& model, const std::vector<float>& x,
                         const std::vector<int64_t>& shape, const char* mode) {
  std::vector<float> ref = run(model, "cpu", x, shape);
  ::setenv("RNPU_NPU_TILING", mode, 1);
  std::vector<float> got = run(model, "sim", x, shape);
  ::setenv("RNPU_NPU_TILING", "0", 1);
  std::vector<float> flat = run(model, "sim", x, shape);
  ::unsetenv("RNPU_NPU_TILING");
  ASSERT_EQ(got.size(), ref.size());
  ASSERT_EQ(flat.size(), got.size());
  EXPECT_EQ(std::memcmp(got.data(), flat.data(), got.size() * 4), 0) << mode;
  EXPECT_LT(max_err(got, ref), 5e-2) << mode;
}

TEST(NpuCodegen, StreamIsValidAndFused) {
  npu::Program p = npu::compile(lowered(conv_model(8)), npu::HwConfig::reference());
  rnpu_model_result res;
  ASSERT_EQ(rnpu_model_validate(p.stream.data(), p.stream.size(), &res), RNPU_MS_OK) << res.msg;
  // fp32 -> fp16 copy, conv with ReLU fused, pool, fp16 -> fp32 copy.
  EXPECT_EQ(opcodes(p),
            (std::vector<uint16_t>{RNPU_OP_DMA, RNPU_OP_CONV2D, RNPU_OP_POOL, RNPU_OP_DMA}));
  rnpu_cmd_conv2d conv;
  std::memcpy(&conv, &p.stream[p.cmds[1].offset], sizeof conv);
  EXPECT_EQ(conv.act.func, RNPU_ACT_RELU);
  EXPECT_EQ(conv.weight.dtype, RNPU_DT_FP16);
  EXPECT_EQ(p.macs, uint64_t(16 * 8 * 8) * 8 * 9);
  ASSERT_EQ(p.inputs.size(), 1u);
  EXPECT_EQ(p.inputs[0].bytes, 8u * 8 * 8 * 4);
  EXPECT_EQ(p.outputs[0].bytes, 16u * 4 * 4 * 4);
}

TEST(NpuCodegen, IntermediatesUseSramWhenTheyFit) {
  npu::Program small = npu::compile(lowered(conv_model(8)), npu::HwConfig::reference());
  rnpu_cmd_conv2d conv;
  std::memcpy(&conv, &small.stream[small.cmds[1].offset], sizeof conv);
  EXPECT_GE(conv.out.va, RNPU_SRAM_VA);
  EXPECT_GT(small.sram_bytes, 0u);
  EXPECT_EQ(small.scratch_bytes, 0u);
  // 16 x 256 x 256 fp16 = 2 MiB per activation: more than the 1 MiB window.
  // Untiled, it goes to DRAM.
  npu::CodegenOptions untiled;
  untiled.tiling = npu::CodegenOptions::Tiling::kOff;
  npu::Program big = npu::compile(lowered(conv_model(256)), npu::HwConfig::reference(), untiled);
  std::memcpy(&conv, &big.stream[big.cmds[1].offset], sizeof conv);
  EXPECT_LT(conv.out.va, RNPU_SRAM_VA);
  EXPECT_GT(big.scratch_bytes, 0u);
}

// The conv -> pool chain of conv_model(256) runs band by band: the 2 MiB
// intermediate lives in SRAM bands, and DRAM holds only input and output.
TEST(NpuCodegen, LargeChainsAreTiledThroughSram) {
  npu::CodegenOptions tiled, untiled;
  tiled.tiling = npu::CodegenOptions::Tiling::kChains;
  untiled.tiling = npu::CodegenOptions::Tiling::kOff;
  ir::Graph g = lowered(conv_model(256));
  npu::Program t = npu::compile(g, npu::HwConfig::reference(), tiled);
  npu::Program u = npu::compile(g, npu::HwConfig::reference(), untiled);
  rnpu_model_result res;
  ASSERT_EQ(rnpu_model_validate(t.stream.data(), t.stream.size(), &res), RNPU_MS_OK) << res.msg;
  size_t convs = 0, pools = 0;
  for (const npu::CmdOrigin& c : t.cmds) {
    uint16_t op;
    std::memcpy(&op, &t.stream[c.offset], 2);
    if (op == RNPU_OP_CONV2D) {
      rnpu_cmd_conv2d conv;
      std::memcpy(&conv, &t.stream[c.offset], sizeof conv);
      EXPECT_GE(conv.out.va, RNPU_SRAM_VA);  // every band's intermediate
      EXPECT_LT(conv.in.va, RNPU_SRAM_VA);
      ++convs;
    }
    pools += op == RNPU_OP_POOL;
  }
  EXPECT_GT(convs, 1u);
  EXPECT_EQ(convs, pools);
  EXPECT_LE(t.sram_bytes, npu::HwConfig::reference().sram_bytes);
  // Input (1 MiB fp16) and output (0.5 MiB) only: the 2 MiB is gone.
  EXPECT_LT(t.scratch_bytes, u.scratch_bytes);
  EXPECT_LE(t.scratch_bytes, (1u << 20) + (1u << 19) + 128);
  // The node's MACs are its own, not the halo rows recomputed.
  EXPECT_EQ(t.macs, u.macs);
  // The default keeps whichever stream the timing model says is fastest.
  npu::Program best = npu::compile(g, npu::HwConfig::reference());
  rnpu_model_config cfg;
  rnpu_model_default_config(&cfg);
  auto cycles = [&](const npu::Program& p) {
    rnpu_model_result r;
    EXPECT_EQ(rnpu_model_estimate(&cfg, p.stream.data(), p.stream.size(), &r), RNPU_MS_OK);
    return r.cycles;
  };
  EXPECT_LE(cycles(best), cycles(t));
  EXPECT_LE(cycles(best), cycles(u));
}

// A residual block (x + conv(conv(x))) whose tensors exceed the window is
// one tiled region: the add reads x and the second conv's bands; the
// result is bit for bit the untiled one.
TEST(NpuSim, ResidualRegionMatchesUntiledBitForBit) {
  const int64_t H = 128, C = 32;  // 1 MiB per fp16 tensor
  ModelBuilder m;
  m.input("x", {1, C, H, H}).output("y");
  m.init("w1", {C, 1, 3, 3}, randv(size_t(C * 9), 31, 0.3f));
  m.init("w2", {C, C, 1, 1}, randv(size_t(C * C), 32, 0.3f));
  auto& c1 = m.node("Conv", {"x", "w1"}, {"c1"}, "dw");
  attr_ints(c1, "pads", {1, 1, 1, 1});
  attr_i(c1, "group", C);
  m.node("Relu", {"c1"}, {"r1"}, "relu");
  m.node("Conv", {"r1", "w2"}, {"c2"}, "pw");
  m.node("Add", {"x", "c2"}, {"a"}, "residual");
  m.node("Relu", {"a"}, {"y"}, "out");
  std::string model = m.bytes();
  npu::CodegenOptions regions;
  regions.tiling = npu::CodegenOptions::Tiling::kRegions;
  npu::Program t = npu::compile(lowered(model), npu::HwConfig::reference(), regions);
  size_t adds = 0;
  for (const npu::CmdOrigin& c : t.cmds) {
    uint16_t op;
    std::memcpy(&op, &t.stream[c.offset], 2);
    adds += op == RNPU_OP_ELTWISE;
  }
  EXPECT_GT(adds, 1u);  // the add runs per band, inside the region

  std::vector<float> x = randv(size_t(C * H * H), 33);
  std::vector<int64_t> shape{1, C, H, H};
  expect_tiling_exact(model, x, shape, "regions");
}

// A longer chain with strides, pads, per-channel and scalar constants and
// an average pool whose border windows are partial: tiled, the sim gives
// bit for bit what the untiled program gives, and agrees with the cpu.
TEST(NpuSim, TiledChainMatchesUntiledBitForBit) {
  const int64_t H = 150;
  ModelBuilder m;
  m.input("x", {1, 8, H, H}).output("y");
  // Memory-bound layers (1x1, depthwise): where tiling pays off.
  m.init("w1", {16, 8, 1, 1}, randv(16 * 8, 11, 0.3f)).init("b1", {16}, randv(16, 12));
  m.init("w2", {16, 1, 3, 3}, randv(16 * 9, 13, 0.3f));
  m.init("s", {1, 16, 1, 1}, randv(16, 14)).init("k", {1}, {0.25f});
  m.init("w3", {8, 16, 1, 1}, randv(8 * 16, 15, 0.3f));
  m.node("Conv", {"x", "w1", "b1"}, {"c1"}, "conv1");
  m.node("Relu", {"c1"}, {"r1"}, "relu1");
  auto& c2 = m.node("Conv", {"r1", "w2"}, {"c2"}, "conv2");
  attr_ints(c2, "pads", {1, 1, 1, 1});
  attr_ints(c2, "strides", {2, 2});
  attr_i(c2, "group", 16);
  m.node("Mul", {"s", "c2"}, {"m"}, "scale");  // constant first
  m.node("Add", {"m", "k"}, {"a"}, "shift");
  m.node("HardSigmoid", {"a"}, {"h"}, "hsig");
  auto& p = m.node("AveragePool", {"h"}, {"p"}, "pool");
  attr_ints(p, "kernel_shape", {3, 3});
  attr_ints(p, "pads", {1, 1, 1, 1});
  m.node("Conv", {"p", "w3"}, {"y"}, "conv3");
  std::string model = m.bytes();
  std::vector<float> x = randv(size_t(8 * H * H), 16);
  std::vector<int64_t> shape{1, 8, H, H};

  npu::CodegenOptions tiled;
  tiled.tiling = npu::CodegenOptions::Tiling::kChains;
  npu::Program t = npu::compile(lowered(model), npu::HwConfig::reference(), tiled);
  EXPECT_GT(t.cmds.size(), t.nodes.size() + 2);  // more than one band

  expect_tiling_exact(model, x, shape, "chains");
}

// 2x2 / stride-2 ConvTranspose: four 1x1 convolutions into strided views of
// the output, no zero-filled upsampled copy; MACs are the op's own.
TEST(NpuCodegen, StrideEqualsKernelConvTransposeRunsPerPhase) {
  ModelBuilder m;
  m.input("x", {1, 8, 16, 16}).output("y");
  m.init("w", {8, 4, 2, 2}, randv(8 * 4 * 4, 21, 0.3f));
  auto& n = m.node("ConvTranspose", {"x", "w"}, {"y"}, "up");
  attr_ints(n, "strides", {2, 2});
  attr_ints(n, "kernel_shape", {2, 2});
  npu::Program p = npu::compile(lowered(m.bytes()), npu::HwConfig::reference());
  rnpu_model_result res;
  ASSERT_EQ(rnpu_model_validate(p.stream.data(), p.stream.size(), &res), RNPU_MS_OK) << res.msg;
  EXPECT_EQ(opcodes(p), (std::vector<uint16_t>{RNPU_OP_DMA, RNPU_OP_CONV2D, RNPU_OP_CONV2D,
                                               RNPU_OP_CONV2D, RNPU_OP_CONV2D, RNPU_OP_DMA}));
  EXPECT_EQ(p.macs, uint64_t(16 * 16 * 8) * 4 * 4);
}

TEST(NpuCodegen, RelocationMovesEveryDramAddress) {
  npu::Program p = npu::compile(lowered(conv_model(8)), npu::HwConfig::reference());
  std::vector<uint8_t> a = p.relocate(0), b = p.relocate(0x40000000);
  ASSERT_FALSE(p.relocs.empty());
  size_t differ = 0;
  for (size_t i = 0; i < a.size(); ++i) differ += a[i] != b[i];
  EXPECT_GT(differ, 0u);
  for (uint32_t at : p.relocs) {
    uint64_t va, vb;
    std::memcpy(&va, &a[at], 8);
    std::memcpy(&vb, &b[at], 8);
    EXPECT_EQ(vb - va, 0x40000000u);
    EXPECT_LT(va, p.image_bytes);
  }
}

TEST(NpuCodegen, SavedProgramRoundTripsAndRejectsDamage) {
  npu::Program p = npu::compile(lowered(conv_model(8)), npu::HwConfig::reference());
  std::vector<uint8_t> b = npu::save_program(p);
  npu::Program q = npu::load_program(b);
  EXPECT_EQ(q.stream, p.stream);
  EXPECT_EQ(q.weights, p.weights);
  EXPECT_EQ(q.relocs, p.relocs);
  EXPECT_EQ(q.image_bytes, p.image_bytes);
  ASSERT_EQ(q.nodes.size(), p.nodes.size());
  std::vector<uint8_t> cut(b.begin(), b.end() - 1);
  EXPECT_THROW(npu::load_program(cut), Error);
  std::vector<uint8_t> bad = b;
  bad[0] ^= 1;
  EXPECT_THROW(npu::load_program(bad), Error);
  std::string why;
  npu::HwConfig other = npu::HwConfig::reference();
  other.mac_cols = 64;
  EXPECT_FALSE(p.hw.runs_on(other, &why));
  EXPECT_NE(why.find("MAC array"), std::string::npos);
}

// Differential test of tiling: random graphs of convolutions (kernel 1/3/5,
// stride 1/2, dilation 1/2, grouped or not, asymmetric pads), pools,
// activations, per-channel constants and residual adds, large enough to
// be tiled; chains and regions must give what the untiled stream gives,
// bit for bit.
TEST(NpuSim, RandomGraphsTileBitForBit) {
  int banded = 0;  // graphs where some node was lowered in several bands
  for (unsigned seed = 1; seed <= 10; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return int(rng() % unsigned(n)); };
    int64_t C = 16, H = 100 + pick(40), W = 96 + pick(32);
    ModelBuilder m;
    m.input("x", {1, C, H, W}).output("y");
    std::string cur = "x", skip;
    int64_t h = H, w = W;
    int layers = 5 + pick(4);
    for (int i = 0; i < layers; ++i) {
      std::string out = "v" + std::to_string(i), wn = "w" + std::to_string(i);
      int kind = pick(6);
      if (kind <= 2) {  // convolution
        int64_t k = std::array<int64_t, 3>{1, 3, 5}[size_t(pick(3))];
        int64_t s = h > 40 && pick(3) == 0 ? 2 : 1, d = k == 3 && pick(3) == 0 ? 2 : 1;
        int64_t g = pick(2) ? C : 1, span = d * (k - 1);
        int64_t pt = pick(int(span + 1)), pb = span - pt + pick(2);
        m.init(wn, {C, C / g, k, k},
               randv(size_t(C * (C / g) * k * k), seed * 100 + unsigned(i), 0.4f));
        auto& n = m.node("Conv", {cur, wn}, {out}, "conv" + std::to_string(i));
        attr_ints(n, "kernel_shape", {k, k});
        attr_ints(n, "strides", {s, s});
        attr_ints(n, "dilations", {d, d});
        attr_ints(n, "pads", {pt, span / 2, pb, span - span / 2});
        attr_i(n, "group", g);
        h = (h + pt + pb - span - 1) / s + 1;
        w = (w + span - span - 1) / s + 1;
      } else if (kind == 3) {  // pool
        auto& n =
            m.node(pick(2) ? "MaxPool" : "AveragePool", {cur}, {out}, "pool" + std::to_string(i));
        attr_ints(n, "kernel_shape", {3, 3});
        attr_ints(n, "pads", {1, 1, 1, 1});
      } else if (kind == 4) {  // per-channel affine, constant on either side
        m.init(wn, {1, C, 1, 1}, randv(size_t(C), seed * 100 + unsigned(i), 1.f));
        m.node("Mul",
               pick(2) ? std::vector<std::string>{wn, cur} : std::vector<std::string>{cur, wn},
               {out});
      } else {  // activation, or a residual add back to a same-shape value
        if (!skip.empty() && pick(2)) {
          m.node("Add", {skip, cur}, {out});
        } else {
          m.node(pick(2) ? "Relu" : "HardSigmoid", {cur}, {out});
        }
      }
      // A later add may read this value when shapes stay the same.
      skip = (kind <= 2) ? std::string() : cur;
      cur = out;
    }
    m.node("Relu", {cur}, {"y"}, "last");
    std::string model = m.bytes();
    std::vector<float> x = randv(size_t(C * H * W), seed);
    std::vector<int64_t> shape{1, C, H, W};
    for (auto t : {npu::CodegenOptions::Tiling::kChains, npu::CodegenOptions::Tiling::kRegions}) {
      npu::CodegenOptions o;
      o.tiling = t;
      npu::Program p = npu::compile(lowered(model), npu::HwConfig::reference(), o);
      banded += p.cmds.size() > p.nodes.size() + 2;
    }
    ::setenv("RNPU_NPU_TILING", "0", 1);
    std::vector<float> flat = run(model, "sim", x, shape);
    for (const char* mode : {"chains", "regions"}) {
      ::setenv("RNPU_NPU_TILING", mode, 1);
      std::vector<float> got = run(model, "sim", x, shape);
      ASSERT_EQ(got.size(), flat.size()) << seed << mode;
      EXPECT_EQ(std::memcmp(got.data(), flat.data(), got.size() * 4), 0)
          << "seed " << seed << " " << mode;
    }
    ::unsetenv("RNPU_NPU_TILING");
  }
  EXPECT_GE(banded, 10);  // at least half of the 20 compilations tile something
}

TEST(NpuSim, SmallCnnMatchesCpu) {
  std::string m = conv_model(8);
  std::vector<float> x = randv(8 * 8 * 8, 3);
  std::vector<float> ref = run(m, "cpu", x, {1, 8, 8, 8});
  std::vector<float> got = run(m, "sim", x, {1, 8, 8, 8});
  ASSERT_EQ(got.size(), ref.size());
  EXPECT_LT(max_err(got, ref), 2e-2);
}

TEST(NpuSim, ReportsModelledCyclesAndRoofline) {
  std::string m = conv_model(8);
  std::vector<float> x = randv(8 * 8 * 8, 3);
  Session s = Session::load_memory(m.data(), m.size(), {});
  run(m, "sim", x, {1, 8, 8, 8}, &s);
  std::vector<NpuReport> r = s.npu_reports();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].backend, "sim");
  EXPECT_EQ(r[0].macs, uint64_t(16 * 8 * 8) * 8 * 9);
  EXPECT_EQ(r[0].commands, 4u);
  EXPECT_GT(r[0].cycles, uint64_t(r[0].bound_cycles()));
  EXPECT_EQ(r[0].peak_macs_per_cycle, 1024u);
  EXPECT_GT(r[0].compulsory_bytes, uint64_t(8 * 8 * 8 * 4));
}

TEST(NpuSim, ProfilesEveryNodeWithCycles) {
  std::string m = conv_model(8);
  Options o;
  o.backends = {"sim"};
  o.allow_fallback = false;
  o.profiling = true;
  Session s = Session::load_memory(m.data(), m.size(), o);
  std::vector<float> x = randv(8 * 8 * 8, 3);
  int64_t shape[4] = {1, 8, 8, 8};
  s.set_input(0, x.data(), x.size() * 4, shape);
  s.run();
  uint64_t total = 0;
  for (const OpProfile& p : s.profile()) {
    EXPECT_EQ(p.backend, "sim");
    EXPECT_GT(p.cycles, 0u) << p.node;
    total += p.cycles;
  }
  EXPECT_EQ(total, s.npu_reports().at(0).cycles);
}

TEST(NpuSim, HighRankTransposeBecomesSeveralDmas) {
  ModelBuilder m;
  m.input("x", {2, 3, 4, 5, 6}).output("y");
  attr_ints(m.node("Transpose", {"x"}, {"y"}, "tr"), "perm", {4, 2, 0, 3, 1});
  std::string b = m.bytes();
  std::vector<float> x = randv(2 * 3 * 4 * 5 * 6, 5);
  std::vector<float> ref = run(b, "cpu", x, {2, 3, 4, 5, 6});
  std::vector<float> got = run(b, "sim", x, {2, 3, 4, 5, 6});
  EXPECT_LT(max_err(got, ref), 2e-3);  // fp16 round trip only
}

TEST(NpuSim, ArtifactLoadsWithoutCompiling) {
  std::string m = conv_model(8);
  Options o;
  o.backends = {"sim"};
  o.allow_fallback = false;
  Session s = Session::load_memory(m.data(), m.size(), o);
  std::vector<uint8_t> art = s.compiled_bytes();
  Session l = Session::load_memory(art.data(), art.size(), {});
  EXPECT_EQ(l.programs_loaded(), 1u);
  std::vector<float> x = randv(8 * 8 * 8, 3);
  int64_t shape[4] = {1, 8, 8, 8};
  for (Session* p : {&s, &l}) {
    p->set_input(0, x.data(), x.size() * 4, shape);
    p->run();
  }
  EXPECT_EQ(std::memcmp(s.output(0).data, l.output(0).data, s.output(0).size), 0);

  // A program for a different MAC array is refused with the reason.
  artifact::Artifact a = artifact::read(art);
  ASSERT_EQ(a.programs.size(), 1u);
  npu::Program p = npu::load_program(a.programs[0].data);
  p.hw.mac_rows = 64;
  a.programs[0].data = npu::save_program(p);
  std::vector<uint8_t> other = artifact::write(a);
  try {
    Session::load_memory(other.data(), other.size(), {});
    FAIL() << "accepted a program for other hardware";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("other hardware"), std::string::npos) << e.what();
  }
}

TEST(NpuSim, UnsupportedOpsSayWhy) {
  ModelBuilder m;
  m.input("x", {4}).output("y");
  m.node("Erf", {"x"}, {"y"}, "erf");
  ir::Graph g = lowered(m.bytes());
  Support s = npu::supports(g, g.nodes[0]);
  EXPECT_FALSE(s.ok);
  EXPECT_FALSE(s.reason.empty());
  EXPECT_THROW(npu::compile(g, npu::HwConfig::reference()), Error);
}

TEST(NpuSim, NotChosenAutomatically) {
  Backend* sim = BackendRegistry::instance().get("sim");
  ASSERT_NE(sim, nullptr);
  EXPECT_TRUE(sim->available());
  EXPECT_FALSE(sim->automatic());
  std::string m = conv_model(8);
  Session s = Session::load_memory(m.data(), m.size(), {});
  for (const auto& d : s.partition_report()) EXPECT_NE(d.backend, "sim") << d.node;
}

}  // namespace
}  // namespace rnpu
