// float16 storage: graphs whose tensors are float16 (weights cast at
// compile time by constant folding) run the _f16 kernel variants and agree
// with the cpu reference within the float16 tolerance.
#include "backends/vulkan/vk_backend.h"
#include "session_util.h"
#include "support/graph_builder.h"
#include "vk_harness.h"

namespace rnpu::vk::test {
namespace {

using rnpu::test::attr_i;
using rnpu::test::attr_ints;
using rnpu::test::ModelBuilder;

// x (f32) -> Cast f16 -> Conv(+bias, f16 weights) -> Relu -> MaxPool ->
// Softmax -> Transpose -> MatMul -> LayerNorm-free tail -> Cast f32.
std::string half_model() {
  ModelBuilder m;
  m.input("x", {1, 8, 12, 12});
  m.init("w", {16, 8, 3, 3}, random_floats(16 * 72, 3, -0.3f, 0.3f));
  m.init("b", {16}, random_floats(16, 4));
  m.init("mw", {6, 5}, random_floats(30, 5));
  auto cast = [&](const std::string& in, const std::string& out, int to) {
    attr_i(m.node("Cast", {in}, {out}, "cast_" + out), "to", to);
  };
  cast("x", "xh", 10);
  cast("w", "wh", 10);
  cast("b", "bh", 10);
  cast("mw", "mwh", 10);
  attr_ints(m.node("Conv", {"xh", "wh", "bh"}, {"c"}, "conv"), "pads", {1, 1, 1, 1});
  m.node("Relu", {"c"}, {"r"}, "relu");
  auto& p = m.node("MaxPool", {"r"}, {"p"}, "pool");
  attr_ints(p, "kernel_shape", {2, 2});
  attr_ints(p, "strides", {2, 2});
  attr_i(m.node("Softmax", {"p"}, {"s"}, "softmax"), "axis", 1);
  m.node("MatMul", {"s", "mwh"}, {"mm"}, "mm");
  attr_ints(m.node("Transpose", {"mm"}, {"t"}, "tr"), "perm", {0, 2, 1, 3});
  cast("t", "y", 1);
  m.output("y");
  return m.bytes();
}

TEST(VulkanFp16, HalfGraphMatchesCpuReference) {
  RNPU_VK_REQUIRE_DEVICE();
  if (!env().ctx->info.fp16_storage) GTEST_SKIP() << "NOT RUN: no 16-bit storage on this device";
  std::string model = half_model();
  std::vector<Feed> in = {{{1, 8, 12, 12}, random_floats(8 * 144, 9)}};
  for (const std::string& b : vulkan_variants()) {
    SCOPED_TRACE(b);
    expect_matches_reference(model, in, b, 1e-2);
  }
  // Every node ran on vulkan, in float16 where the graph says so.
  Options o;
  o.backends = {"vulkan"};
  o.allow_fallback = false;
  Session s = Session::load_memory(model.data(), model.size(), o);
  for (const auto& d : s.partition_report()) EXPECT_EQ(d.backend, "vulkan") << d.node;
}

TEST(VulkanFp16, WithoutHalfStorageHalfOpsAreRefused) {
  RNPU_VK_REQUIRE_DEVICE();
  ir::Graph g;
  ir::ValueId x = g.new_value("x", ir::DType::kFloat16, ir::Shape({4}));
  ir::ValueId y = g.new_value("y", ir::DType::kFloat16, ir::Shape({4}));
  ir::Node n;
  n.name = "relu";
  n.op = "Relu";
  n.inputs = {x};
  n.outputs = {y};
  VulkanBackend b;
  Support s = b.supports(g, n);
  if (env().ctx->info.fp16_storage)
    EXPECT_TRUE(s.ok) << s.reason;
  else
    EXPECT_EQ(s.reason, "dtype float16 unsupported");
}

}  // namespace
}  // namespace rnpu::vk::test
