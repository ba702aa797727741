// Resize-18/19 models: the importer takes them, and shape inference applies
// axes and keep_aspect_ratio_policy the way the cpu kernel does.
#include <gtest/gtest.h>

#include "onnx/importer.h"
#include "passes/shape_inference.h"
#include "support/graph_builder.h"

namespace rnpu {
namespace {

using test::attr_ints;
using test::attr_s;
using test::ModelBuilder;

std::string resized_shape(const std::string& policy, std::vector<int64_t> axes = {2, 3}) {
  ModelBuilder m(19);
  m.input("x", {1, 1, 2, 4}).output("y");
  m.init_i64("sizes", {2}, {3, 3});
  auto& n = m.node("Resize", {"x", "", "", "sizes"}, {"y"}, "resize");
  attr_ints(n, "axes", axes);
  attr_s(n, "keep_aspect_ratio_policy", policy);
  attr_s(n, "coordinate_transformation_mode", "half_pixel_symmetric");
  std::string b = m.bytes();
  ir::Graph g = onnx::import_model(b.data(), b.size());
  passes::infer_shapes(g);
  return g.value(g.find_value("y")).shape.str();
}

TEST(ResizeShape, KeepAspectRatioPolicy) {
  EXPECT_EQ(resized_shape("stretch"), "[1,1,3,3]");
  // Ratios 1.5 and 0.75 over the listed axes; halves round up.
  EXPECT_EQ(resized_shape("not_larger"), "[1,1,2,3]");
  EXPECT_EQ(resized_shape("not_smaller"), "[1,1,3,6]");
  EXPECT_EQ(resized_shape("not_smaller", {-1, -2}), "[1,1,3,6]");
}

TEST(ResizeShape, BadPolicyAndRepeatedAxisAreErrors) {
  try {
    resized_shape("fit");
    FAIL() << "accepted keep_aspect_ratio_policy 'fit'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("keep_aspect_ratio_policy 'fit'"), std::string::npos)
        << e.what();
  }
  try {
    resized_shape("stretch", {3, -1});
    FAIL() << "accepted axes {3, -1}";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("listed twice"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rnpu
