// Per-op shape functions and the errors they raise for inconsistent graphs.
#include "passes/shape_inference.h"

#include <gtest/gtest.h>

#include "onnx/importer.h"
#include "support/graph_builder.h"

namespace rnpu {
namespace {

using test::attr_i;
using test::attr_ints;
using test::ModelBuilder;

ir::Graph infer(ModelBuilder& m) {
  std::string b = m.bytes();
  ir::Graph g = onnx::import_model(b.data(), b.size());
  passes::infer_shapes(g);
  return g;
}

std::string shape_of(const ir::Graph& g, const std::string& v) {
  return g.value(g.find_value(v)).shape.str();
}

TEST(ShapeInference, ConvStridedPaddedDilatedGrouped) {
  ModelBuilder m;
  m.input("x", {1, 8, 17, 17}).output("y");
  m.init("w", {16, 2, 3, 3}, std::vector<float>(16 * 2 * 9, 0.f));
  auto& n = m.node("Conv", {"x", "w"}, {"y"});
  attr_i(n, "group", 4);
  attr_ints(n, "strides", {2, 2});
  attr_ints(n, "pads", {1, 1, 1, 1});
  attr_ints(n, "dilations", {2, 2});
  ir::Graph g = infer(m);
  // (17 + 2 - 5) / 2 + 1 = 8
  EXPECT_EQ(shape_of(g, "y"), "[1,16,8,8]");
  EXPECT_EQ(g.value(g.find_value("y")).dtype, DataType::kFloat32);
}

TEST(ShapeInference, ConvSameUpperAndChannelMismatch) {
  ModelBuilder m;
  m.input("x", {1, 3, 10, 10}).output("y");
  m.init("w", {4, 3, 3, 3}, std::vector<float>(4 * 27, 0.f));
  attr_ints(m.node("Conv", {"x", "w"}, {"y"}), "strides", {3, 3});
  m.proto().mutable_graph()->mutable_node(0)->add_attribute()->CopyFrom([] {
    ::onnx::AttributeProto a;
    a.set_name("auto_pad");
    a.set_type(::onnx::AttributeProto::STRING);
    a.set_s("SAME_UPPER");
    return a;
  }());
  EXPECT_EQ(shape_of(infer(m), "y"), "[1,4,4,4]");

  ModelBuilder bad;
  bad.input("x", {1, 5, 10, 10}).output("y");
  bad.init("w", {4, 3, 3, 3}, std::vector<float>(4 * 27, 0.f));
  bad.node("Conv", {"x", "w"}, {"y"}, "conv1");
  try {
    infer(bad);
    FAIL() << "expected a shape mismatch";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kShapeMismatch);
    EXPECT_EQ(e.node(), "conv1");
    EXPECT_EQ(e.op(), "Conv");
    EXPECT_NE(e.reason().find("channels"), std::string::npos) << e.what();
  }
}

TEST(ShapeInference, BroadcastAndMismatch) {
  ModelBuilder m;
  m.input("a", {2, 1, 4}).input("b", {3, 1}).output("y");
  m.node("Add", {"a", "b"}, {"y"});
  EXPECT_EQ(shape_of(infer(m), "y"), "[2,3,4]");

  ModelBuilder bad;
  bad.input("a", {2, 3}).input("b", {4, 3}).output("y");
  bad.node("Mul", {"a", "b"}, {"y"}, "mul");
  try {
    infer(bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kShapeMismatch);
    EXPECT_EQ(e.node(), "mul");
  }
}

TEST(ShapeInference, DynamicDimsPropagateThroughShapeReshape) {
  // Reshape(x, Concat(Shape(x)[0:1], [-1])): batch stays symbolic/unknown,
  // the rest is computed once the batch is known.
  ModelBuilder m;
  m.input("x", {-1, 3, 4}).output("y");
  m.init_i64("start", {1}, {0}).init_i64("end", {1}, {1}).init_i64("minus1", {1}, {-1});
  m.node("Shape", {"x"}, {"s"});
  m.node("Slice", {"s", "start", "end"}, {"batch"});
  attr_i(m.node("Concat", {"batch", "minus1"}, {"target"}), "axis", 0);
  m.node("Reshape", {"x", "target"}, {"y"});
  ir::Graph g = infer(m);
  EXPECT_EQ(shape_of(g, "y"), "[?,?]");
  // With the batch resolved (as the runtime does at run time).
  g.value(g.inputs[0]).shape = ir::Shape({5, 3, 4});
  passes::infer_shapes(g);
  EXPECT_EQ(shape_of(g, "y"), "[5,12]");
}

TEST(ShapeInference, MatMulGemmPoolTransposeSlice) {
  ModelBuilder m;
  m.input("a", {2, 5, 3}).input("b", {3, 7}).input("img", {1, 2, 9, 9}).output("mm").output("p");
  m.node("MatMul", {"a", "b"}, {"mm"});
  auto& p = m.node("MaxPool", {"img"}, {"p"});
  attr_ints(p, "kernel_shape", {3, 3});
  attr_ints(p, "strides", {2, 2});
  attr_i(p, "ceil_mode", 1);
  ir::Graph g = infer(m);
  EXPECT_EQ(shape_of(g, "mm"), "[2,5,7]");
  EXPECT_EQ(shape_of(g, "p"), "[1,2,4,4]");

  ModelBuilder bad;
  bad.input("a", {4, 3}).input("b", {4, 3}).output("y");
  bad.node("Gemm", {"a", "b"}, {"y"}, "gemm");
  EXPECT_THROW(infer(bad), Error);
}

TEST(ShapeInference, ReshapeElementCountMismatchIsAnError) {
  ModelBuilder m;
  m.input("x", {2, 3}).output("y");
  m.init_i64("s", {2}, {4, 2});
  m.node("Reshape", {"x", "s"}, {"y"}, "rs");
  try {
    infer(m);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kShapeMismatch);
    EXPECT_EQ(e.node(), "rs");
  }
}

TEST(ShapeInference, AbsurdShapesAreRejected) {
  ModelBuilder m;
  m.input("x", {1}).output("y");
  m.init_i64("s", {3}, {int64_t(1) << 30, int64_t(1) << 30, int64_t(1) << 30});
  m.node("ConstantOfShape", {"s"}, {"y"}, "huge");
  try {
    infer(m);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.node(), "huge");
  }
}

TEST(ShapeInference, UnknownOpsLeaveShapesUnknown) {
  ModelBuilder m;
  m.input("x", {3}).output("y");
  m.node("PositiveOnly", {"x"}, {"y"});
  ir::Graph g = infer(m);
  EXPECT_FALSE(g.value(g.find_value("y")).shape.has_rank);
  EXPECT_TRUE(passes::has_shape_function("Conv"));
  EXPECT_FALSE(passes::has_shape_function("PositiveOnly"));
}

}  // namespace
}  // namespace rnpu
