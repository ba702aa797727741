// Graph passes: the canonical pipeline (constant folding on the reference
// kernels, dead-node removal, one DequantizeLinear per QDQ region) and the
// rewrite libraries backends call (fusion patterns, QDQ folding, claims),
// checked structurally (numerical equivalence of fused graphs is covered by
// the backend conformance suite).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "onnx/importer.h"
#include "passes/claim.h"
#include "passes/fusion.h"
#include "passes/pipeline.h"
#include "passes/qdq.h"
#include "passes/shape_inference.h"
#include "support/graph_builder.h"
#include "support/test_backend.h"

namespace rnpu {
namespace {

using test::attr_i;
using test::attr_ints;
using test::ModelBuilder;

ir::Graph load(ModelBuilder& m) {
  std::string b = m.bytes();
  ir::Graph g = onnx::import_model(b.data(), b.size());
  passes::infer_shapes(g);
  return g;
}

int count(const ir::Graph& g, const std::string& op) {
  return int(std::count_if(g.nodes.begin(), g.nodes.end(),
                           [&](const ir::Node& n) { return !n.dead && n.op == op; }));
}

// Accepts every node and every fused/quantised form (structure only).
class Permissive : public Backend {
 public:
  std::string name() const override { return "permissive"; }
  bool available() const override { return true; }
  std::string description() const override { return "test"; }
  Support supports(const ir::Graph&, const ir::Node&) const override { return Support::yes(); }
  std::unique_ptr<Program> compile(const ir::Graph&, const CompileOptions&) override {
    return nullptr;
  }
  void run(Program&, RunContext&) override {}
};

// The rewrites as backend b would run them.
passes::Rewrite for_backend(const Backend& b) {
  return passes::Rewrite{passes::accept_by(b)};
}

int live(const ir::Graph& g) {
  return int(g.live_node_count());
}

TEST(Passes, DeadNodesAreRemoved) {
  ModelBuilder m;
  m.input("x", {4}).output("y");
  m.node("Relu", {"x"}, {"y"});
  m.node("Neg", {"x"}, {"unused"});
  ir::Graph g = load(m);
  EXPECT_EQ(passes::eliminate_dead_nodes(g), 1);
  EXPECT_EQ(g.nodes.size(), 1u);
}

TEST(Passes, ShapeOfStaticValueFoldsWithoutEvaluator) {
  ModelBuilder m;
  m.input("x", {2, 3}).output("y");
  m.node("Shape", {"x"}, {"s"});
  m.node("Reshape", {"x", "s"}, {"y"});
  ir::Graph g = load(m);
  EXPECT_EQ(passes::fold_constants(g, {.evaluate = false}), 1);
  const ir::Value& s = g.value(g.find_value("s"));
  ASSERT_TRUE(s.is_constant());
  EXPECT_EQ(s.constant->to_ints(), (std::vector<int64_t>{2, 3}));
}

TEST(Passes, ConstantSubgraphsFoldOnTheReferenceKernels) {
  ModelBuilder m;
  m.input("x", {3}).init("a", {3}, {1, 2, 3}).init("b", {3}, {10, 20, 30}).output("y");
  m.node("Mul", {"a", "b"}, {"ab"});
  m.node("Add", {"x", "ab"}, {"y"});
  ir::Graph g = load(m);
  EXPECT_EQ(passes::fold_constants(g), 1);
  passes::eliminate_dead_nodes(g);
  EXPECT_EQ(count(g, "Mul"), 0);
  const ir::Value& ab = g.value(g.find_value("ab"));
  ASSERT_TRUE(ab.is_constant());
  EXPECT_EQ(ab.constant->as<float>()[2], 90.f);
}

TEST(Passes, ConvBatchNormReluFuseIntoOneConv) {
  ModelBuilder m;
  m.input("x", {1, 2, 4, 4}).output("y");
  m.init("w", {3, 2, 1, 1}, {1, 2, 3, 4, 5, 6});
  m.init("s", {3}, {2, 2, 2}).init("b", {3}, {1, 1, 1}).init("mu", {3}, {0, 1, 2});
  m.init("var", {3}, {1, 1, 1});
  m.node("Conv", {"x", "w"}, {"c"}, "conv");
  m.node("BatchNormalization", {"c", "s", "b", "mu", "var"}, {"bn"}, "bn");
  m.node("Relu", {"bn"}, {"y"}, "relu");
  ir::Graph g = load(m);
  Permissive p;
  EXPECT_EQ(passes::fuse(g, for_backend(p)), 2);
  ASSERT_EQ(g.nodes.size(), 1u);
  const ir::Node& c = g.nodes[0];
  EXPECT_EQ(c.op, "Conv");
  EXPECT_EQ(c.attrs.get_string("rnpu.activation", ""), "Relu");
  ASSERT_EQ(c.inputs.size(), 3u);
  const auto& w = g.value(c.inputs[1]).constant;
  const auto& b = g.value(c.inputs[2]).constant;
  float k = 2.f / std::sqrt(1.f + 1e-5f);
  EXPECT_NEAR(w->as<float>()[5], 6 * k, 1e-5);
  EXPECT_NEAR(b->as<float>()[2], (0 - 2) * k + 1, 1e-5);
  EXPECT_EQ(g.value(c.outputs[0]).name, "y");
}

TEST(Passes, FusionIsSkippedWhenNoBackendSupportsIt) {
  ModelBuilder m;
  m.input("x", {4}).input("z", {4}).output("y");
  m.node("Add", {"x", "z"}, {"s"});
  m.node("Relu", {"s"}, {"y"});
  ir::Graph g = load(m);
  test::TestBackend strict("strict");
  EXPECT_EQ(passes::fuse(g, for_backend(strict)), 0);
  EXPECT_EQ(g.nodes.size(), 2u);
}

TEST(Passes, LayerNormDecompositionBecomesLayerNormalization) {
  ModelBuilder m;
  m.input("x", {2, 3, 8}).init("two", {}, {2}).init("eps", {}, {1e-6f});
  m.init("g", {8}, std::vector<float>(8, 2.f)).init("bb", {8}, std::vector<float>(8, .5f));
  m.output("y");
  attr_ints(m.node("ReduceMean", {"x"}, {"mean"}), "axes", {-1});
  m.node("Sub", {"x", "mean"}, {"d"});
  m.node("Pow", {"d", "two"}, {"sq"});
  attr_ints(m.node("ReduceMean", {"sq"}, {"var"}), "axes", {2});
  m.node("Add", {"var", "eps"}, {"ve"});
  m.node("Sqrt", {"ve"}, {"sd"});
  m.node("Div", {"d", "sd"}, {"n"});
  m.node("Mul", {"n", "g"}, {"ng"});
  m.node("Add", {"ng", "bb"}, {"y"});
  ir::Graph g = load(m);
  Permissive p;
  EXPECT_EQ(passes::fuse(g, for_backend(p)), 1);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, "LayerNormalization");
  EXPECT_FLOAT_EQ(g.nodes[0].attrs.get_float("epsilon", 0), 1e-6f);
  EXPECT_EQ(g.value(g.nodes[0].inputs[1]).constant->as<float>()[0], 2.f);
}

TEST(Passes, GeluDecompositionBecomesGelu) {
  for (bool half_first : {false, true}) {
    ModelBuilder m;
    m.input("x", {5}).init("r2", {}, {1.41421356f}).init("one", {}, {1}).init("h", {}, {.5f});
    m.output("y");
    m.node("Div", {"x", "r2"}, {"d"});
    m.node("Erf", {"d"}, {"e"});
    m.node("Add", {"e", "one"}, {"a"});
    if (half_first) {
      m.node("Mul", {"x", "h"}, {"xh"});
      m.node("Mul", {"xh", "a"}, {"y"});
    } else {
      m.node("Mul", {"x", "a"}, {"xa"});
      m.node("Mul", {"xa", "h"}, {"y"});
    }
    ir::Graph g = load(m);
    Permissive p;
    EXPECT_EQ(passes::fuse(g, for_backend(p)), 1) << half_first;
    ASSERT_EQ(g.nodes.size(), 1u);
    EXPECT_EQ(g.nodes[0].op, "Gelu");
  }
}

TEST(Passes, HardSwishDecompositionBecomesHardSwish) {
  // (x * clip(x + 3, 0, 6)) / 6, x * (clip(..) / 6) and x * clip(..) * (1/6).
  for (int form : {0, 1, 2}) {
    ModelBuilder m;
    m.input("x", {5}).init("three", {}, {3}).init("lo", {}, {0}).init("hi", {}, {6});
    m.init("six", {}, {6}).init("sixth", {}, {1.f / 6}).output("y");
    m.node("Add", {"x", "three"}, {"a"});
    m.node("Clip", {"a", "lo", "hi"}, {"c"});
    if (form == 0) {
      m.node("Mul", {"x", "c"}, {"xc"});
      m.node("Div", {"xc", "six"}, {"y"});
    } else if (form == 1) {
      m.node("Div", {"c", "six"}, {"c6"});
      m.node("Mul", {"c6", "x"}, {"y"});
    } else {
      m.node("Mul", {"x", "c"}, {"xc"});
      m.node("Mul", {"xc", "sixth"}, {"y"});
    }
    ir::Graph g = load(m);
    Permissive p;
    EXPECT_EQ(passes::fuse(g, for_backend(p)), 1) << form;
    ASSERT_EQ(g.nodes.size(), 1u) << form;
    EXPECT_EQ(g.nodes[0].op, "HardSwish");
  }
  // Clip bounds other than [0, 6] are not a HardSwish: left alone.
  ModelBuilder m;
  m.input("x", {5}).init("three", {}, {3}).init("lo", {}, {0}).init("hi", {}, {5});
  m.init("six", {}, {6}).output("y");
  m.node("Add", {"x", "three"}, {"a"});
  m.node("Clip", {"a", "lo", "hi"}, {"c"});
  m.node("Mul", {"x", "c"}, {"xc"});
  m.node("Div", {"xc", "six"}, {"y"});
  ir::Graph g = load(m);
  Permissive p;
  passes::fuse(g, for_backend(p));
  EXPECT_EQ(count(g, "HardSwish"), 0);
}

TEST(Passes, QdqRegionBecomesQuantizedOp) {
  ModelBuilder m;
  m.input("x", {1, 4}).output("yq", 3);
  m.init("s", {}, {0.1f}).init("s2", {}, {0.2f});
  auto zp = [&](const std::string& n) {
    auto* t = m.graph().add_initializer();
    t->set_name(n);
    t->set_data_type(::onnx::TensorProto::INT8);
    t->add_int32_data(3);
  };
  zp("z");
  zp("z2");
  m.node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
  m.node("DequantizeLinear", {"xq", "s", "z"}, {"xd"});
  m.node("Relu", {"xd"}, {"r"}, "relu");
  m.node("QuantizeLinear", {"r", "s2", "z2"}, {"yq"});
  ir::Graph g = load(m);
  Permissive p;
  EXPECT_EQ(passes::fold_qdq(g, for_backend(p)), 1);
  ASSERT_EQ(count(g, "DequantizeLinear"), 0);
  ASSERT_EQ(count(g, "Relu"), 1);
  auto relu = std::find_if(g.nodes.begin(), g.nodes.end(), [](auto& n) { return n.op == "Relu"; });
  const ir::Value& in = g.value(relu->inputs[0]);
  const ir::Value& out = g.value(relu->outputs[0]);
  EXPECT_EQ(in.dtype, DataType::kInt8);
  ASSERT_TRUE(in.quant && out.quant);
  EXPECT_FLOAT_EQ(in.quant->scale[0], 0.1f);
  EXPECT_EQ(in.quant->zero_point[0], 3);
  EXPECT_FLOAT_EQ(out.quant->scale[0], 0.2f);
  EXPECT_EQ(out.name, "yq");

  // Without a backend for the quantised form, the graph is left alone.
  ir::Graph g2 = load(m);
  test::TestBackend strict("strict");
  EXPECT_EQ(passes::fold_qdq(g2, for_backend(strict)), 0);
}

// ReLU6 between quantised convolutions: DQ -> Clip(0, 6) -> Q becomes an
// int8 Clip whose float bounds stay real numbers.
TEST(Passes, QdqClipKeepsRealBounds) {
  ModelBuilder m;
  m.input("x", {1, 4}).output("yq", 3);
  m.init("s", {}, {0.1f}).init("s2", {}, {0.05f}).init("lo", {}, {0.f}).init("hi", {}, {6.f});
  for (const char* n : {"z", "z2"}) {
    auto* t = m.graph().add_initializer();
    t->set_name(n);
    t->set_data_type(::onnx::TensorProto::INT8);
    t->add_int32_data(0);
  }
  m.node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
  m.node("DequantizeLinear", {"xq", "s", "z"}, {"xd"});
  m.node("Clip", {"xd", "lo", "hi"}, {"c"}, "relu6");
  m.node("QuantizeLinear", {"c", "s2", "z2"}, {"yq"});
  ir::Graph g = load(m);
  Permissive p;
  EXPECT_EQ(passes::fold_qdq(g, for_backend(p)), 1);
  EXPECT_EQ(count(g, "DequantizeLinear"), 0);
  auto clip = std::find_if(g.nodes.begin(), g.nodes.end(), [](auto& n) { return n.op == "Clip"; });
  ASSERT_NE(clip, g.nodes.end());
  EXPECT_EQ(g.value(clip->inputs[0]).dtype, DataType::kInt8);
  EXPECT_EQ(g.value(clip->inputs[2]).dtype, DataType::kFloat32);
  ASSERT_TRUE(g.value(clip->outputs[0]).quant);
  EXPECT_FLOAT_EQ(g.value(clip->outputs[0]).quant->scale[0], 0.05f);
}

}  // namespace
}  // namespace rnpu

namespace rnpu {
namespace {

TEST(Passes, PipelineLeavesFusionToTheCpuBackendsOptimize) {
  Backend* cpu = BackendRegistry::instance().get("cpu");
  if (!cpu) GTEST_SKIP() << "cpu backend not built in";
  ModelBuilder m;
  m.input("x", {1, 2, 4, 4}).output("y");
  m.init("w", {3, 2, 1, 1}, {1, 2, 3, 4, 5, 6});
  m.init("s", {3}, {2, 2, 2}).init("b", {3}, {1, 1, 1}).init("mu", {3}, {0, 1, 2});
  m.init("var", {3}, {1, 1, 1}).init("lo", {}, {0}).init("hi", {}, {6});
  m.node("Conv", {"x", "w"}, {"c"}, "conv");
  m.node("BatchNormalization", {"c", "s", "b", "mu", "var"}, {"bn"}, "bn");
  m.node("Clip", {"bn", "lo", "hi"}, {"y"}, "relu6");
  ir::Graph g = load(m);
  passes::run_pipeline(g, {});
  EXPECT_EQ(live(g), 3);  // the canonical graph is not fused
  EXPECT_EQ(cpu->optimize(g), 2);
  g.compact();
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].attrs.get_string("rnpu.activation", ""), "Clip");
  EXPECT_EQ(g.nodes[0].attrs.get_float("rnpu.activation_beta", 0), 6.f);
}

// A quantised Conv: int8 weights and bias behind DequantizeLinear, the
// activation quantised on both sides, and a second consumer of the input's
// DequantizeLinear (a residual Add).
ModelBuilder qdq_conv_model() {
  ModelBuilder m;
  m.input("x", {1, 2, 4, 4}).output("y").output("yq", 3);
  m.init("s", {}, {0.1f}).init("sw", {}, {0.05f}).init("s2", {}, {0.2f});
  auto i8 = [&](const std::string& n, std::vector<int64_t> dims, std::vector<int> v) {
    auto* t = m.graph().add_initializer();
    t->set_name(n);
    t->set_data_type(::onnx::TensorProto::INT8);
    for (int64_t d : dims) t->add_dims(d);
    for (int x : v) t->add_int32_data(x);
  };
  i8("z", {}, {0});
  i8("wq", {2, 2, 1, 1}, {10, -20, 30, 40});
  m.node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
  m.node("DequantizeLinear", {"xq", "s", "z"}, {"xd"}, "dq_x");
  m.node("DequantizeLinear", {"wq", "sw", "z"}, {"wd"}, "dq_w");
  m.node("Conv", {"xd", "wd"}, {"c"}, "conv");
  m.node("QuantizeLinear", {"c", "s2", "z"}, {"yq"}, "q_out");
  m.node("Add", {"xd", "xd"}, {"y"}, "residual");
  return m;
}

TEST(Passes, PipelineKeepsQdqRegionsExplicitWithOwnDequantize) {
  ModelBuilder m = qdq_conv_model();
  ir::Graph g = load(m);
  passes::run_pipeline(g, {});
  // The weights' DequantizeLinear stays (a quantised backend computes on
  // the int8 weights); the input's is split: one for the Conv region, the
  // original for the Add.
  EXPECT_EQ(count(g, "DequantizeLinear"), 3);
  g.rebuild_links();
  for (const ir::Node& n : g.nodes)
    if (n.op == "Conv")
      for (ir::ValueId v : n.inputs) {
        ASSERT_NE(g.value(v).producer, ir::kNoNode);
        EXPECT_EQ(g.node(g.value(v).producer).op, "DequantizeLinear");
        EXPECT_EQ(g.value(v).consumers.size(), 1u);
      }
}

TEST(Passes, QuantisedBackendClaimsTheRegionAsOneGroup) {
  ModelBuilder m = qdq_conv_model();
  ir::Graph g = load(m);
  passes::run_pipeline(g, {});
  Permissive p;
  std::vector<NodeGroup> groups = passes::claim_rewrites(g, p, {.qdq = true});
  ASSERT_EQ(groups.size(), 1u);
  std::set<std::string> names;
  for (ir::NodeId id : groups[0].nodes) names.insert(g.node(id).name);
  // Both DequantizeLinear (the input's copy and the weights'), the Conv
  // and its QuantizeLinear; not the Add's DequantizeLinear nor the Add.
  EXPECT_EQ(names.size(), 4u);
  EXPECT_TRUE(names.count("conv") && names.count("q_out") && names.count("dq_w"));
  EXPECT_FALSE(names.count("residual") || names.count("dq_x"));
  // The partition optimised with the same rewrites holds one int8 Conv:
  // the int8 values of xq and yq annotated (2), one region folded (1).
  EXPECT_EQ(passes::optimize_rewrites(g, p, {.qdq = true}), 3);
  g.compact();
  auto conv = std::find_if(g.nodes.begin(), g.nodes.end(), [](auto& n) { return n.op == "Conv"; });
  ASSERT_NE(conv, g.nodes.end());
  EXPECT_EQ(g.value(conv->inputs[0]).dtype, DataType::kInt8);
  EXPECT_EQ(g.value(conv->inputs[1]).dtype, DataType::kInt8);
  EXPECT_TRUE(g.value(conv->outputs[0]).quant);
  EXPECT_EQ(count(g, "DequantizeLinear"), 1);  // the Add's
}

TEST(Passes, CpuBackendRunsTheQdqFormWithFloatWeights) {
  Backend* cpu = BackendRegistry::instance().get("cpu");
  if (!cpu) GTEST_SKIP() << "cpu backend not built in";
  ModelBuilder m = qdq_conv_model();
  ir::Graph g = load(m);
  passes::run_pipeline(g, {});
  EXPECT_TRUE(cpu->claim(g).empty());
  cpu->optimize(g);
  g.compact();
  // The weights' DequantizeLinear is folded; the activations' stay.
  EXPECT_EQ(count(g, "DequantizeLinear"), 2);
  auto conv = std::find_if(g.nodes.begin(), g.nodes.end(), [](auto& n) { return n.op == "Conv"; });
  ASSERT_NE(conv, g.nodes.end());
  ASSERT_TRUE(g.value(conv->inputs[1]).is_constant());
  EXPECT_EQ(g.value(conv->inputs[1]).dtype, DataType::kFloat32);
  EXPECT_FLOAT_EQ(g.value(conv->inputs[1]).constant->as<float>()[1], -1.f);
  for (const ir::Value& v : g.values) EXPECT_FALSE(v.quant) << v.name;
}

}  // namespace
}  // namespace rnpu
