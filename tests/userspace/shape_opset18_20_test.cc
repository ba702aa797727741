// Shape functions of the operators added in opsets 18 to 20 (Col2Im,
// CenterCropPad, GroupNormalization, DeformConv, AffineGrid) and the errors
// they raise for inconsistent models.
#include <gtest/gtest.h>

#include "onnx/importer.h"
#include "passes/shape_inference.h"
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

std::string error_of(ModelBuilder& m) {
  try {
    infer(m);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ShapeOpset18, Col2ImFromConstantSizes) {
  ModelBuilder m(18);
  m.input("x", {2, 12, 6}).output("y");
  m.init_i64("image", {2}, {3, 4});
  m.init_i64("block", {2}, {2, 2});
  m.node("Col2Im", {"x", "image", "block"}, {"y"});
  EXPECT_EQ(shape_of(infer(m), "y"), "[2,3,3,4]");
}

TEST(ShapeOpset18, Col2ImChannelsMustSplitIntoBlocks) {
  ModelBuilder m(18);
  m.input("x", {1, 10, 6}).output("y");
  m.init_i64("image", {2}, {3, 4});
  m.init_i64("block", {2}, {2, 2});
  m.node("Col2Im", {"x", "image", "block"}, {"y"});
  std::string e = error_of(m);
  EXPECT_NE(e.find("Col2Im"), std::string::npos) << e;
  EXPECT_NE(e.find("multiple of prod(block_shape)"), std::string::npos) << e;
}

TEST(ShapeOpset18, CenterCropPadReplacesTheChosenAxes) {
  ModelBuilder m(18);
  m.input("x", {5, 7, 3}).output("y");
  m.init_i64("shape", {2}, {4, 9});
  auto& n = m.node("CenterCropPad", {"x", "shape"}, {"y"});
  attr_ints(n, "axes", {0, -2});
  EXPECT_EQ(shape_of(infer(m), "y"), "[4,9,3]");
}

TEST(ShapeOpset18, CenterCropPadRefusesRepeatedAxes) {
  ModelBuilder m(18);
  m.input("x", {5, 7}).output("y");
  m.init_i64("shape", {2}, {4, 9});
  auto& n = m.node("CenterCropPad", {"x", "shape"}, {"y"});
  attr_ints(n, "axes", {1, -1});
  EXPECT_NE(error_of(m).find("repeated"), std::string::npos);
}

TEST(ShapeOpset18, GroupNormalizationNeedsGroupsDividingChannels) {
  ModelBuilder m(21);
  m.input("x", {1, 6, 4}).input("s", {6}).input("b", {6}).output("y");
  auto& n = m.node("GroupNormalization", {"x", "s", "b"}, {"y"});
  attr_i(n, "num_groups", 4);
  EXPECT_NE(error_of(m).find("groups"), std::string::npos);
}

TEST(ShapeOpset19, DeformConvIsSizedLikeConv) {
  ModelBuilder m(19);
  m.input("x", {1, 4, 9, 9}).input("off", {1, 18, 4, 4}).output("y");
  m.init("w", {8, 4, 3, 3}, std::vector<float>(8 * 4 * 9, 0.f));
  auto& n = m.node("DeformConv", {"x", "w", "off"}, {"y"});
  attr_ints(n, "strides", {2, 2});
  attr_ints(n, "pads", {0, 0, 0, 0});
  EXPECT_EQ(shape_of(infer(m), "y"), "[1,8,4,4]");
}

TEST(ShapeOpset20, AffineGridFromAConstantSize) {
  ModelBuilder m(20);
  m.input("theta", {2, 3, 4}).output("grid");
  m.init_i64("size", {5}, {2, 1, 3, 4, 5});
  m.node("AffineGrid", {"theta", "size"}, {"grid"});
  EXPECT_EQ(shape_of(infer(m), "grid"), "[2,3,4,5,3]");
}

}  // namespace
}  // namespace rnpu
