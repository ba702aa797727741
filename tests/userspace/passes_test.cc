// Graph passes: constant folding, dead-node removal, fusion patterns, QDQ
// folding and NHWC layout assignment, checked structurally (numerical
// equivalence of fused graphs is covered by the backend conformance suite).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "onnx/importer.h"
#include "passes/pipeline.h"
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

// Accepts every node and every fused/quantised/NHWC form (structure only).
class Permissive : public Backend {
 public:
  explicit Permissive(ir::Layout l = ir::Layout::kNCHW, std::set<std::string> nhwc_ops = {})
      : layout_(l), nhwc_ops_(std::move(nhwc_ops)) {}
  std::string name() const override { return "permissive"; }
  bool available() const override { return true; }
  std::string description() const override { return "test"; }
  ir::Layout preferred_layout() const override { return layout_; }
  Support supports(const ir::Graph&, const ir::Node& n) const override {
    if (n.layout == ir::Layout::kNHWC && !nhwc_ops_.count(n.op))
      return Support::no("no NHWC " + n.op);
    return Support::yes();
  }
  std::unique_ptr<Program> compile(const ir::Graph&, const CompileOptions&) override {
    return nullptr;
  }
  void run(Program&, RunContext&) override {}

 private:
  ir::Layout layout_;
  std::set<std::string> nhwc_ops_;
};

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
  EXPECT_EQ(passes::fold_constants(g, nullptr), 1);
  const ir::Value& s = g.value(g.find_value("s"));
  ASSERT_TRUE(s.is_constant());
  EXPECT_EQ(s.constant->to_ints(), (std::vector<int64_t>{2, 3}));
}

TEST(Passes, ConstantSubgraphsFoldOnTheHostBackend) {
  Backend* cpu = BackendRegistry::instance().get("cpu");
  if (!cpu) GTEST_SKIP() << "cpu backend not built in";
  ModelBuilder m;
  m.input("x", {3}).init("a", {3}, {1, 2, 3}).init("b", {3}, {10, 20, 30}).output("y");
  m.node("Mul", {"a", "b"}, {"ab"});
  m.node("Add", {"x", "ab"}, {"y"});
  ir::Graph g = load(m);
  EXPECT_EQ(passes::fold_constants(g, cpu), 1);
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
  EXPECT_EQ(passes::fuse(g, {&p}), 2);
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
  EXPECT_EQ(passes::fuse(g, {&strict}), 0);
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
  EXPECT_EQ(passes::fuse(g, {&p}), 1);
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
    EXPECT_EQ(passes::fuse(g, {&p}), 1) << half_first;
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
    EXPECT_EQ(passes::fuse(g, {&p}), 1) << form;
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
  passes::fuse(g, {&p});
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
  EXPECT_EQ(passes::fold_qdq(g, {&p}), 1);
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
  EXPECT_EQ(passes::fold_qdq(g2, {&strict}), 0);
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
  EXPECT_EQ(passes::fold_qdq(g, {&p}), 1);
  EXPECT_EQ(count(g, "DequantizeLinear"), 0);
  auto clip = std::find_if(g.nodes.begin(), g.nodes.end(), [](auto& n) { return n.op == "Clip"; });
  ASSERT_NE(clip, g.nodes.end());
  EXPECT_EQ(g.value(clip->inputs[0]).dtype, DataType::kInt8);
  EXPECT_EQ(g.value(clip->inputs[2]).dtype, DataType::kFloat32);
  ASSERT_TRUE(g.value(clip->outputs[0]).quant);
  EXPECT_FLOAT_EQ(g.value(clip->outputs[0]).quant->scale[0], 0.05f);
}

TEST(Passes, NhwcRegionsGetTransposesOnlyAtBoundaries) {
  ModelBuilder m;
  m.input("x", {1, 3, 8, 8}).output("y");
  m.init("w1", {4, 3, 3, 3}, std::vector<float>(108, .1f));
  m.init("w2", {4, 4, 1, 1}, std::vector<float>(16, .1f));
  attr_ints(m.node("Conv", {"x", "w1"}, {"c1"}, "c1"), "pads", {1, 1, 1, 1});
  m.node("Relu", {"c1"}, {"r"}, "relu");
  m.node("Conv", {"r", "w2"}, {"c2"}, "c2");
  m.node("Flatten", {"c2"}, {"y"}, "flat");  // NCHW consumer
  ir::Graph g = load(m);
  Permissive p(ir::Layout::kNHWC, {"Conv", "Relu"});
  EXPECT_EQ(passes::assign_layout(g, {&p}), 3);
  passes::infer_shapes(g);
  EXPECT_EQ(count(g, "Transpose"), 2);  // one in, one out
  for (const auto& n : g.nodes)
    if (n.op == "Conv" || n.op == "Relu") EXPECT_EQ(n.layout, ir::Layout::kNHWC) << n.name;
  auto c2 = std::find_if(g.nodes.begin(), g.nodes.end(), [](auto& n) { return n.name == "c2"; });
  EXPECT_EQ(g.value(c2->outputs[0]).shape.str(), "[1,8,8,4]");
  EXPECT_EQ(g.value(g.find_value("y")).shape.str(), "[1,256]");
  g.validate();
}

TEST(Passes, NoNhwcBackendMeansNoLayoutChange) {
  ModelBuilder m;
  m.input("x", {1, 3, 4, 4}).output("y");
  m.node("Relu", {"x"}, {"y"});
  ir::Graph g = load(m);
  Permissive p;
  EXPECT_EQ(passes::assign_layout(g, {&p}), 0);
}

}  // namespace
}  // namespace rnpu

namespace rnpu {
namespace {

TEST(Passes, PipelineFusesForTheCpuBackend) {
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
  passes::PipelineOptions o;
  o.backends = {cpu};
  passes::run_pipeline(g, o);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].attrs.get_string("rnpu.activation", ""), "Clip");
  EXPECT_EQ(g.nodes[0].attrs.get_float("rnpu.activation_beta", 0), 6.f);
}

}  // namespace
}  // namespace rnpu
