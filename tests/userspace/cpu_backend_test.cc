// The CPU backend through the common backend interface: capability answers
// with reasons, compile + run of a small graph, fused activations, errors
// naming the node.
#include "backends/cpu/cpu_backend.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "backend/backend.h"
#include "cpu_test_context.h"
#include "ir/graph.h"

namespace rnpu::cpu {
namespace {

using test::HeapContext;

std::shared_ptr<ir::ConstTensor> const_f32(std::vector<int64_t> dims, const std::vector<float>& v) {
  auto c = ir::ConstTensor::make(ir::DType::kFloat32, std::move(dims));
  std::memcpy(c->mutable_data(), v.data(), v.size() * sizeof(float));
  return c;
}

// x[1,1,2,2] -> Conv 1x1 (w = -1, b = 0.5) with fused Relu -> y
struct ConvGraph {
  ir::Graph g;
  ir::ValueId x, y;
  ConvGraph(const std::string& act) {
    x = g.new_value("x", ir::DType::kFloat32, ir::Shape({1, 1, 2, 2}));
    ir::ValueId w = g.add_constant("w", const_f32({1, 1, 1, 1}, {-1}));
    ir::ValueId b = g.add_constant("b", const_f32({1}, {0.5f}));
    y = g.new_value("y", ir::DType::kFloat32, ir::Shape({1, 1, 2, 2}));
    ir::Node n;
    n.name = "conv1";
    n.op = "Conv";
    n.inputs = {x, w, b};
    n.outputs = {y};
    if (!act.empty()) {
      ir::Attribute a;
      a.kind = ir::Attribute::Kind::kString;
      a.s = act;
      n.attrs.set("rnpu.activation", a);
    }
    g.add_node(n);
    g.inputs = {x};
    g.outputs = {y};
  }
};

TEST(CpuBackend, IsRegisteredAsCpu) {
  Backend* b = BackendRegistry::instance().get("cpu");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->name(), "cpu");
  EXPECT_TRUE(b->available());
  EXPECT_NE(b->description().find("ONNX ops"), std::string::npos);
}

TEST(CpuBackend, RunsConvWithFusedRelu) {
  ConvGraph cg("Relu");
  CpuBackend be;
  ASSERT_TRUE(be.supports(cg.g, cg.g.nodes[0]).ok);
  EXPECT_GT(be.estimate_cost_ns(cg.g, cg.g.nodes[0]), 0);
  auto prog = be.compile(cg.g, CompileOptions{});
  HeapContext ctx(cg.g);
  ctx.set(cg.x, {1, 1, 2, 2}, {1, -2, 0.25f, -0.5f});
  be.run(*prog, ctx);
  be.read_outputs(*prog, ctx);
  EXPECT_EQ(ctx.get(cg.y), (std::vector<float>{0, 2.5f, 0.25f, 1}));
  be.destroy(std::move(prog));
}

TEST(CpuBackend, ProfilesEachOp) {
  ConvGraph cg("");
  CpuBackend be;
  auto prog = be.compile(cg.g, CompileOptions{2, true});
  HeapContext ctx(cg.g);
  ctx.profiling_ = true;
  ctx.set(cg.x, {1, 1, 2, 2}, {1, 2, 3, 4});
  be.run(*prog, ctx);
  // Layout conversions around the convolution may add entries of their own.
  ASSERT_GE(ctx.profile.size(), 1u);
  bool found = false;
  for (const OpProfile& p : ctx.profile) {
    EXPECT_EQ(p.backend, "cpu");
    found |= p.node == "conv1" && p.op == "Conv";
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(ctx.get(cg.y), (std::vector<float>{-0.5f, -1.5f, -2.5f, -3.5f}));
}

TEST(CpuBackend, SupportGivesReasons) {
  CpuBackend be;
  ConvGraph cg("Softsign");
  Support s = be.supports(cg.g, cg.g.nodes[0]);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.reason.find("Softsign"), std::string::npos) << s.reason;

  ir::Graph g;
  ir::ValueId a = g.new_value("a", ir::DType::kString, ir::Shape({2}));
  ir::ValueId o = g.new_value("o", ir::DType::kString, ir::Shape({2}));
  // String tensors run only in the string ops (string_ops.cc); others refuse.
  ir::Node n;
  n.op = "Relu";
  n.inputs = {a};
  n.outputs = {o};
  g.add_node(n);
  s = be.supports(g, g.nodes[0]);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.reason.find("string"), std::string::npos) << s.reason;

  ir::ValueId f = g.new_value("f", ir::DType::kFloat32, ir::Shape({2}));
  ir::Node m;
  m.op = "Frobnicate";
  m.inputs = {f};
  m.outputs = {f};
  g.add_node(m);
  s = be.supports(g, g.nodes[1]);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.reason.find("Frobnicate"), std::string::npos) << s.reason;

  ir::Node loop;
  loop.op = "Loop";
  ir::Attribute body;
  body.kind = ir::Attribute::Kind::kGraph;
  loop.attrs.set("body", body);
  g.add_node(loop);
  s = be.supports(g, g.nodes[2]);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.reason.find("body"), std::string::npos) << s.reason;
}

TEST(CpuBackend, RuntimeErrorsNameTheNode) {
  ir::Graph g;
  ir::ValueId x = g.new_value("x", ir::DType::kFloat32, ir::Shape({2, 3}));
  ir::ValueId s = g.new_value("s", ir::DType::kInt64, ir::Shape({1}));
  ir::ValueId y = g.new_value("y", ir::DType::kFloat32, ir::Shape::unknown_rank());
  ir::Node n;
  n.name = "reshape7";
  n.op = "Reshape";
  n.inputs = {x, s};
  n.outputs = {y};
  g.add_node(n);
  g.inputs = {x, s};
  g.outputs = {y};
  CpuBackend be;
  auto prog = be.compile(g, CompileOptions{});
  HeapContext ctx(g);
  ctx.set(x, {2, 3}, std::vector<float>(6, 1));
  ctx.allocate(s, ir::DType::kInt64, std::vector<int64_t>{1});
  static_cast<int64_t*>(ctx.tensor(s).data)[0] = 4;  // 6 elements cannot be 4
  try {
    be.run(*prog, ctx);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.node(), "reshape7");
    EXPECT_EQ(e.op(), "Reshape");
    EXPECT_NE(e.reason().find("[2,3]"), std::string::npos) << e.reason();
  }
}

}  // namespace
}  // namespace rnpu::cpu
