// Data-movement ops on string tensors (cpu backend, string_move.cc): each
// runs its registry kernel on element numbers, so these check that the
// strings land where the numbers did, that several string inputs keep
// their own elements, and that errors and refusals name the node.
#include <gtest/gtest.h>

#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"
#include "support/session_util.h"

namespace rnpu {
namespace {

using test::attr_i;
using test::attr_ints;
using test::expect_error;
using test::load;
using test::ModelBuilder;

constexpr int kStr = 8, kBool = 9, kI64 = 7;
using Strs = std::vector<std::string>;
using Dims = std::vector<int64_t>;

const Strs kSix = {"a", "b", "c", "d", "e", "f"};

Strs out(Session& s, size_t i, Dims* shape) {
  return s.output_strings(i, shape);
}

TEST(StringMove, ReshapeAndTranspose) {
  ModelBuilder m(17);
  m.input("x", {6}, kStr).init_i64("shape", {2}, {2, 3});
  m.node("Reshape", {"x", "shape"}, {"r"}, "reshape");
  attr_ints(m.node("Transpose", {"r"}, {"t"}, "transpose"), "perm", {1, 0});
  m.output("r", kStr).output("t", kStr);
  Session s = load(m);
  s.set_input_strings(0, kSix, Dims{6});
  s.run();
  Dims shape;
  EXPECT_EQ(out(s, 0, &shape), kSix);
  EXPECT_EQ(shape, (Dims{2, 3}));
  EXPECT_EQ(out(s, 1, &shape), (Strs{"a", "d", "b", "e", "c", "f"}));
  EXPECT_EQ(shape, (Dims{3, 2}));
}

TEST(StringMove, ConcatOfTwoStringInputs) {
  ModelBuilder m(17);
  m.input("x", {2, 1}, kStr).input("y", {2, 2}, kStr);
  attr_i(m.node("Concat", {"x", "y"}, {"c"}, "concat"), "axis", 1);
  m.output("c", kStr);
  Session s = load(m);
  s.set_input_strings(0, Strs{"x0", "x1"}, Dims{2, 1});
  s.set_input_strings(1, Strs{"y0", "y1", "y2", "y3"}, Dims{2, 2});
  s.run();
  Dims shape;
  EXPECT_EQ(out(s, 0, &shape), (Strs{"x0", "y0", "y1", "x1", "y2", "y3"}));
  EXPECT_EQ(shape, (Dims{2, 3}));
}

TEST(StringMove, GatherNegativeIndicesAndOutOfRange) {
  ModelBuilder m(17);
  m.input("x", {3, 2}, kStr).input("i", {2}, kI64);
  m.node("Gather", {"x", "i"}, {"g"}, "gather");
  m.output("g", kStr);
  Session s = load(m);
  s.set_input_strings(0, kSix, Dims{3, 2});
  int64_t idx[2] = {-1, 0};
  s.set_input(1, idx, sizeof idx, Dims{2});
  s.run();
  Dims shape;
  EXPECT_EQ(out(s, 0, &shape), (Strs{"e", "f", "a", "b"}));
  EXPECT_EQ(shape, (Dims{2, 2}));
  int64_t bad[2] = {0, 3};
  s.set_input(1, bad, sizeof bad, Dims{2});
  expect_error([&] { s.run(); }, ErrorCode::kRuntime, {"gather", "Gather"});
}

TEST(StringMove, SliceWithSteps) {
  ModelBuilder m(17);
  m.input("x", {6}, kStr);
  m.init_i64("starts", {1}, {-1}).init_i64("ends", {1}, {-100}).init_i64("axes", {1}, {0});
  m.init_i64("steps", {1}, {-2});
  m.node("Slice", {"x", "starts", "ends", "axes", "steps"}, {"y"}, "slice");
  m.output("y", kStr);
  Session s = load(m);
  s.set_input_strings(0, kSix, Dims{6});
  s.run();
  Dims shape;
  EXPECT_EQ(out(s, 0, &shape), (Strs{"f", "d", "b"}));
  EXPECT_EQ(shape, (Dims{3}));
}

TEST(StringMove, WhereMixesTwoStringTensors) {
  ModelBuilder m(17);
  m.input("c", {2, 2}, kBool).input("x", {2, 2}, kStr).input("y", {2}, kStr);
  m.node("Where", {"c", "x", "y"}, {"w"}, "where");
  m.output("w", kStr);
  Session s = load(m);
  uint8_t c[4] = {1, 0, 0, 1};
  s.set_input(0, c, sizeof c, Dims{2, 2});
  s.set_input_strings(1, Strs{"x0", "x1", "x2", "x3"}, Dims{2, 2});
  s.set_input_strings(2, Strs{"y0", "y1"}, Dims{2});
  s.run();
  Dims shape;
  EXPECT_EQ(out(s, 0, &shape), (Strs{"x0", "y1", "y0", "x3"}));
  EXPECT_EQ(shape, (Dims{2, 2}));
}

TEST(StringMove, SplitIntoSeveralOutputs) {
  ModelBuilder m(18);
  m.input("x", {6}, kStr).init_i64("split", {3}, {1, 2, 3});
  m.node("Split", {"x", "split"}, {"a", "b", "c"}, "split");
  m.output("a", kStr).output("b", kStr).output("c", kStr);
  Session s = load(m);
  s.set_input_strings(0, kSix, Dims{6});
  s.run();
  Dims shape;
  EXPECT_EQ(out(s, 0, &shape), (Strs{"a"}));
  EXPECT_EQ(out(s, 1, &shape), (Strs{"b", "c"}));
  EXPECT_EQ(out(s, 2, &shape), (Strs{"d", "e", "f"}));
  EXPECT_EQ(shape, (Dims{3}));
}

TEST(StringMove, PadFillsWithConstantValue) {
  ModelBuilder m(19);
  m.input("x", {2}, kStr).input("v", {}, kStr).init_i64("pads", {2}, {1, 2});
  m.node("Pad", {"x", "pads", "v"}, {"p"}, "pad");
  m.output("p", kStr);
  Session s = load(m);
  s.set_input_strings(0, Strs{"a", "b"}, Dims{2});
  s.set_input_strings(1, Strs{"-"}, Dims{});
  s.run();
  Dims shape;
  EXPECT_EQ(out(s, 0, &shape), (Strs{"-", "a", "b", "-", "-"}));
}

TEST(StringMove, ShapeAndSizeOfStrings) {
  ModelBuilder m(17);
  m.input("x", {2, 3}, kStr);
  m.node("Shape", {"x"}, {"s"}, "shape");
  m.node("Size", {"x"}, {"n"}, "size");
  m.output("s", kI64).output("n", kI64);
  Session s = load(m);
  s.set_input_strings(0, kSix, Dims{2, 3});
  s.run();
  const auto* sh = static_cast<const int64_t*>(s.output(0).data);
  EXPECT_EQ(sh[0], 2);
  EXPECT_EQ(sh[1], 3);
  EXPECT_EQ(*static_cast<const int64_t*>(s.output(1).data), 6);
}

TEST(StringMove, OtherOpsAndOldOpsetsRefused) {
  // Trilu's zero fill is no moved element.
  ModelBuilder m(17);
  m.input("x", {2, 3}, kStr);
  m.node("Trilu", {"x"}, {"t"}, "tri");
  m.output("t", kStr);
  expect_error([&] { load(m); }, ErrorCode::kUnsupportedOp,
               {"tri", "Trilu on string tensors unsupported"});
  // Pad-18 dropped strings from its type constraint.
  ModelBuilder p(18);
  p.input("x", {2}, kStr).init_i64("pads", {2}, {1, 1});
  p.node("Pad", {"x", "pads"}, {"y"}, "pad18");
  p.output("y", kStr);
  expect_error([&] { load(p); }, ErrorCode::kUnsupportedOp,
               {"pad18", "takes no string tensors in opset 18"});
}

}  // namespace
}  // namespace rnpu
