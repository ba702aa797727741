// Control flow (If, Loop, Scan) end to end on the cpu backend, with models
// built here: bodies that read outer-scope values, nesting, loop-carried
// state whose shape grows, scan outputs, a GRU driven by Loop against the
// same GRU run over the whole sequence, and the error paths.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "onnx/importer.h"
#include "passes/shape_inference.h"
#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"
#include "support/session_util.h"

namespace rnpu {
namespace {

using test::attr_g;
using test::body_node;
using test::expect_error;
using test::floats;
using test::load;
using test::ModelBuilder;
using G = ::onnx::GraphProto;
constexpr int kF32 = 1, kI64 = 7, kBool = 9;

// Value info with a shape (`dims`, -1 unknown) or, with `ranked` false, none.
void vi(::onnx::ValueInfoProto* v, const std::string& name, int elem, std::vector<int64_t> dims,
        bool ranked = true) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem);
  if (!ranked) return;
  auto* sh = tt->mutable_shape();
  for (int64_t d : dims) {
    auto* x = sh->add_dim();
    if (d >= 0) x->set_dim_value(d);
  }
}
void body_in(G& g, const std::string& n, int elem, std::vector<int64_t> dims = {},
             bool ranked = true) {
  vi(g.add_input(), n, elem, dims, ranked);
}
void body_out(G& g, const std::string& n, int elem) {
  vi(g.add_output(), n, elem, {}, false);
}
void body_i64(G& g, const std::string& name, std::vector<int64_t> dims, std::vector<int64_t> v) {
  auto* t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::INT64);
  for (int64_t d : dims) t->add_dims(d);
  for (int64_t x : v) t->add_int64_data(x);
}
void bool_init(ModelBuilder& m, const std::string& name, bool v) {
  auto* t = m.graph().add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::BOOL);
  t->add_int32_data(v);
}

// rate (int64 scalar) > 16000 ? x * w2 : -x + x * 0.5, where w2 = w * w is
// folded to a constant outside and -x is computed outside, read only by
// the else branch (so DCE and folding must keep both).
ModelBuilder sample_rate_model() {
  ModelBuilder m;
  m.input("rate", {}, kI64).input("x", {3}).init("w", {3}, {1, 2, 3}).init_i64("lim", {}, {16000});
  m.init("half", {}, {0.5f}).output("y");
  m.node("Mul", {"w", "w"}, {"w2"}, "square_w");
  m.node("Neg", {"x"}, {"negx"}, "neg");
  m.node("Greater", {"rate", "lim"}, {"hi"}, "is_high");
  G then_b, else_b;
  then_b.set_name("wide");
  body_node(then_b, "Mul", {"x", "w2"}, {"t"}, "scale");
  body_out(then_b, "t", kF32);
  else_b.set_name("narrow");
  body_node(else_b, "Mul", {"x", "half"}, {"h"}, "halve");
  body_node(else_b, "Add", {"negx", "h"}, {"e"}, "mix");
  body_out(else_b, "e", kF32);
  auto& n = m.node("If", {"hi"}, {"y"}, "by_rate");
  attr_g(n, "then_branch", then_b);
  attr_g(n, "else_branch", else_b);
  return m;
}

TEST(ControlFlow, IfOnScalarSampleRateReadsOuterValues) {
  Session s = load(sample_rate_model());
  std::vector<float> x = {1, -2, 4};
  std::vector<int64_t> shape3 = {3}, scalar = {};
  for (int64_t rate : {48000, 8000}) {
    s.set_input(0, &rate, sizeof rate, scalar);
    s.set_input(1, x, shape3);
    s.run();
    std::vector<float> y = floats(s.output(0));
    ASSERT_EQ(y.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      float w = float(i + 1);
      float want = rate > 16000 ? x[i] * w * w : -x[i] + x[i] * 0.5f;
      EXPECT_FLOAT_EQ(y[i], want) << "rate " << rate << " i " << i;
    }
  }
  bool host = false;
  for (const auto& d : s.partition_report())
    if (d.node == "by_rate") host = d.backend == "host";
  EXPECT_TRUE(host);
}

TEST(ControlFlow, IfReferenceKernelsAgree) {
  Options o = test::cpu_only();
  o.reference_kernels = true;
  Session s = load(sample_rate_model(), o);
  std::vector<float> x = {1, -2, 4};
  std::vector<int64_t> shape3 = {3}, scalar = {};
  int64_t rate = 44100;
  s.set_input(0, &rate, sizeof rate, scalar);
  s.set_input(1, x, shape3);
  s.run();
  EXPECT_EQ(floats(s.output(0)), (std::vector<float>{1, -8, 36}));
}

// Loop M times over acc; the body branches with If on iter < 2 and both
// branches read x from the main graph, two scopes out.
TEST(ControlFlow, NestedIfInsideLoop) {
  ModelBuilder m;
  m.input("x", {2}).init("acc0", {2}, {1, 1}).init_i64("M", {}, {4}).init_i64("two", {}, {2});
  m.init("three", {}, {3.f}).output("acc");
  bool_init(m, "go", true);
  G then_b, else_b, body;
  then_b.set_name("early");
  body_node(then_b, "Add", {"acc_in", "x"}, {"a"}, "add_x");
  body_out(then_b, "a", kF32);
  else_b.set_name("late");
  body_node(else_b, "Mul", {"acc_in", "three"}, {"b"}, "times3");
  body_out(else_b, "b", kF32);
  body.set_name("step");
  body_in(body, "i", kI64);
  body_in(body, "c", kBool);
  body_in(body, "acc_in", kF32, {2});
  body_node(body, "Less", {"i", "two"}, {"early_i"}, "is_early");
  auto& inner = body_node(body, "If", {"early_i"}, {"acc_out"}, "branch");
  attr_g(inner, "then_branch", then_b);
  attr_g(inner, "else_branch", else_b);
  body_node(body, "Identity", {"c"}, {"c_out"}, "keep_going");
  body_out(body, "c_out", kBool);
  body_out(body, "acc_out", kF32);
  auto& loop = m.node("Loop", {"M", "go", "acc0"}, {"acc"}, "loop");
  attr_g(loop, "body", body);
  Session s = load(m);
  std::vector<float> x = {2, -1};
  std::vector<int64_t> shape = {2};
  s.set_input(0, x, shape);
  s.run();
  // ((1 + x) + x) * 3 * 3
  EXPECT_EQ(floats(s.output(0)), (std::vector<float>{45, -9}));
}

// s grows by one element per iteration (Concat with the iteration number);
// the scan output is its running sum.
TEST(ControlFlow, LoopStateGrowsAndScanOutputStacks) {
  ModelBuilder m;
  m.input("n", {}, kI64).init("s0", {1}, {10}).init_i64("ax0", {1}, {0}).output("s").output("sums");
  G body;
  body.set_name("grow");
  body_in(body, "i", kI64);
  body_in(body, "c", kBool);
  body_in(body, "s_in", kF32, {-1});
  body_node(body, "Cast", {"i"}, {"fi"}, "to_float").add_attribute()->CopyFrom([] {
    ::onnx::AttributeProto a;
    a.set_name("to");
    a.set_type(::onnx::AttributeProto::INT);
    a.set_i(1);
    return a;
  }());
  body_node(body, "Unsqueeze", {"fi", "ax0"}, {"fi1"}, "as_vector");
  body_node(body, "Concat", {"s_in", "fi1"}, {"s_out"}, "append");
  test::attr_i(*body.mutable_node(2), "axis", 0);
  body_node(body, "ReduceSum", {"s_out"}, {"sum"}, "total");
  test::attr_i(*body.mutable_node(3), "keepdims", 0);
  body_node(body, "Identity", {"c"}, {"c_out"}, "same");
  body_out(body, "c_out", kBool);
  body_out(body, "s_out", kF32);
  body_out(body, "sum", kF32);
  auto& loop = m.node("Loop", {"n", "", "s0"}, {"s", "sums"}, "loop");
  attr_g(loop, "body", body);
  Session s = load(m);
  std::vector<int64_t> scalar = {};
  for (int64_t n : {4, 0, 2}) {
    s.set_input(0, &n, sizeof n, scalar);
    s.run();
    std::vector<float> want_s = {10}, want_sums;
    float total = 10;
    for (int64_t i = 0; i < n; ++i) {
      want_s.push_back(float(i));
      total += float(i);
      want_sums.push_back(total);
    }
    EXPECT_EQ(floats(s.output(0)), want_s) << n;
    EXPECT_EQ(s.output(0).shape, (std::vector<int64_t>{1 + n}));
    EXPECT_EQ(floats(s.output(1)), want_sums) << n;
    EXPECT_EQ(s.output(1).shape, (std::vector<int64_t>{n}));
  }
}

// A GRU cell stepped by Loop over X[T, B, I] (one GRU step on X[i] per
// iteration, h carried, each step's Y as scan output) against one GRU over
// the whole sequence.
TEST(ControlFlow, LoopDrivesGruCellLikeTheUnrolledGru) {
  const int64_t T = 5, B = 2, I = 3, H = 4;
  auto vals = [](size_t n, float k) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = std::sin(float(i) * k) * 0.5f;
    return v;
  };
  auto build = [&](bool loop) {
    ModelBuilder m;
    m.input("X", {T, B, I});
    m.init("W", {1, 3 * H, I}, vals(size_t(3 * H * I), 0.37f));
    m.init("R", {1, 3 * H, H}, vals(size_t(3 * H * H), 0.73f));
    m.init("Bias", {1, 6 * H}, vals(size_t(6 * H), 1.1f));
    m.init("h0", {1, B, H}, vals(size_t(B * H), 0.5f));
    m.output("Y").output("Y_h");
    if (!loop) {
      auto& n = m.node("GRU", {"X", "W", "R", "Bias", "", "h0"}, {"Y", "Y_h"}, "gru");
      test::attr_i(n, "hidden_size", H);
      return m;
    }
    m.init_i64("T", {}, {T}).init_i64("ax0", {1}, {0});
    G body;
    body.set_name("gru_step");
    body_in(body, "t", kI64);
    body_in(body, "c", kBool);
    body_in(body, "h", kF32, {1, B, H});
    body_node(body, "Gather", {"X", "t"}, {"x_t"}, "take_step");
    body_node(body, "Unsqueeze", {"x_t", "ax0"}, {"x_seq"}, "as_sequence");
    auto& g = body_node(body, "GRU", {"x_seq", "W", "R", "Bias", "", "h"}, {"y", "h_next"}, "cell");
    test::attr_i(g, "hidden_size", H);
    body_node(body, "Identity", {"c"}, {"c_out"}, "on");
    body_out(body, "c_out", kBool);
    body_out(body, "h_next", kF32);
    body_out(body, "y", kF32);
    auto& l = m.node("Loop", {"T", "", "h0"}, {"Y_h", "Y5"}, "steps");
    attr_g(l, "body", body);
    // Loop stacks [1, 1, B, H] per step: [T, 1, 1, B, H] -> GRU's [T, 1, B, H].
    m.init_i64("yshape", {4}, {T, 1, B, H});
    m.node("Reshape", {"Y5", "yshape"}, {"Y"}, "as_gru_y");
    return m;
  };
  std::vector<float> x = vals(size_t(T * B * I), 0.91f);
  std::vector<int64_t> shape = {T, B, I};
  Session a = load(build(true)), b = load(build(false));
  a.set_input(0, x, shape);
  b.set_input(0, x, shape);
  a.run();
  b.run();
  for (size_t o = 0; o < 2; ++o) {
    EXPECT_EQ(a.output(o).shape, b.output(o).shape) << o;
    std::vector<float> ya = floats(a.output(o)), yb = floats(b.output(o));
    ASSERT_EQ(ya.size(), yb.size());
    for (size_t i = 0; i < ya.size(); ++i) EXPECT_NEAR(ya[i], yb[i], 1e-5) << o << " " << i;
  }
}

// Scan (opset 9+ form) computing a cumulative sum over axis 0, forwards and
// (scan_input_directions) backwards, the sums stacked along axis 1.
ModelBuilder cumsum_model(bool reverse) {
  ModelBuilder m;
  m.input("X", {4, 2}).init("zero", {2}, {0, 0}).output("total").output("sums");
  G body;
  body.set_name("accumulate");
  body_in(body, "s", kF32, {2});
  body_in(body, "x", kF32, {2});
  body_node(body, "Add", {"s", "x"}, {"s_next"}, "plus");
  body_node(body, "Identity", {"s_next"}, {"s_copy"}, "emit");
  body_out(body, "s_next", kF32);
  body_out(body, "s_copy", kF32);
  auto& n = m.node("Scan", {"zero", "X"}, {"total", "sums"}, "cumsum");
  test::attr_i(n, "num_scan_inputs", 1);
  if (reverse) test::attr_ints(n, "scan_input_directions", {1});
  test::attr_ints(n, "scan_output_axes", {1});
  attr_g(n, "body", body);
  return m;
}

TEST(ControlFlow, ScanCumulativeSum) {
  std::vector<float> x = {1, 10, 2, 20, 3, 30, 4, 40};
  std::vector<int64_t> shape = {4, 2};
  for (bool reverse : {false, true}) {
    Session s = load(cumsum_model(reverse));
    s.set_input(0, x, shape);
    s.run();
    EXPECT_EQ(floats(s.output(0)), (std::vector<float>{10, 100}));
    ASSERT_EQ(s.output(1).shape, (std::vector<int64_t>{2, 4}));
    std::vector<float> want = reverse ? std::vector<float>{4, 7, 9, 10, 40, 70, 90, 100}
                                      : std::vector<float>{1, 3, 6, 10, 10, 30, 60, 100};
    EXPECT_EQ(floats(s.output(1)), want) << reverse;
  }
}

TEST(ControlFlow, ConditionMustBeBoolScalar) {
  ModelBuilder m;
  m.input("c", {-1}, kBool).input("x", {2}).output("y");
  G t, e;
  body_node(t, "Neg", {"x"}, {"a"}, "neg");
  body_out(t, "a", kF32);
  body_node(e, "Identity", {"x"}, {"b"}, "same");
  body_out(e, "b", kF32);
  auto& n = m.node("If", {"c"}, {"y"}, "pick");
  attr_g(n, "then_branch", t);
  attr_g(n, "else_branch", e);
  Session s = load(m);
  std::vector<float> x = {1, 2};
  std::vector<int64_t> xs = {2}, cs = {2};
  bool c[2] = {true, false};
  s.set_input(0, c, sizeof c, cs);
  s.set_input(1, x, xs);
  expect_error([&] { s.run(); }, ErrorCode::kShapeMismatch,
               {"node 'pick' (If)", "bool scalar", "[2]"});
  std::vector<int64_t> one = {1};
  s.set_input(0, c, 1, one);
  s.run();
  EXPECT_EQ(floats(s.output(0)), (std::vector<float>{-1, -2}));
}

TEST(ControlFlow, BranchOutputCountMismatchFailsAtLoad) {
  ModelBuilder m;
  m.input("c", {}, kBool).input("x", {2}).output("y");
  G t, e;
  body_node(t, "Neg", {"x"}, {"a"}, "neg");
  body_out(t, "a", kF32);
  body_node(e, "Identity", {"x"}, {"b"}, "same");
  body_out(e, "b", kF32);
  body_out(e, "x", kF32);
  auto& n = m.node("If", {"c"}, {"y"}, "pick");
  attr_g(n, "then_branch", t);
  attr_g(n, "else_branch", e);
  expect_error([&] { load(m); }, ErrorCode::kMalformedModel,
               {"node 'pick' (If)", "then_branch has 1 outputs, else_branch 2"});
}

TEST(ControlFlow, LoopWithoutTripCountOrConditionFailsAtLoad) {
  ModelBuilder m;
  m.init("v0", {1}, {0}).init("one", {1}, {1}).output("v");
  G body;
  body_in(body, "i", kI64);
  body_in(body, "c", kBool);
  body_in(body, "v_in", kF32, {1});
  body_node(body, "Add", {"v_in", "one"}, {"v_out"}, "inc");
  body_node(body, "Identity", {"c"}, {"c_out"}, "same");
  body_out(body, "c_out", kBool);
  body_out(body, "v_out", kF32);
  auto& l = m.node("Loop", {"", "", "v0"}, {"v"}, "forever");
  attr_g(l, "body", body);
  expect_error([&] { load(m); }, ErrorCode::kMalformedModel,
               {"node 'forever' (Loop)", "never end"});
}

// The body reshapes an outer value to a shape given at run time; a bad
// shape fails inside the body, and the error names both nodes, the body
// and the iteration.
TEST(ControlFlow, BodyNodeFailingAtRunTimeIsNamed) {
  ModelBuilder m;
  m.input("x", {6}).input("shape", {1}, kI64).input("n", {}, kI64).init("v0", {1}, {0});
  m.output("v").output("r");
  G body;
  body.set_name("reshaper");
  body_in(body, "i", kI64);
  body_in(body, "c", kBool);
  body_in(body, "v_in", kF32, {1});
  body_node(body, "Reshape", {"x", "shape"}, {"r_out"}, "bad_reshape");
  body_node(body, "Identity", {"v_in"}, {"v_out"}, "keep");
  body_node(body, "Identity", {"c"}, {"c_out"}, "same");
  body_out(body, "c_out", kBool);
  body_out(body, "v_out", kF32);
  body_out(body, "r_out", kF32);
  auto& l = m.node("Loop", {"n", "", "v0"}, {"v", "r"}, "outer_loop");
  attr_g(l, "body", body);
  Session s = load(m);
  std::vector<float> x = {1, 2, 3, 4, 5, 6};
  std::vector<int64_t> xs = {6}, one = {1}, scalar = {};
  int64_t good = 6, bad = 7, n = 3;
  s.set_input(0, x, xs);
  s.set_input(2, &n, sizeof n, scalar);
  s.set_input(1, &good, sizeof good, one);
  s.run();
  EXPECT_EQ(s.output(1).shape, (std::vector<int64_t>{3, 6}));
  s.set_input(1, &bad, sizeof bad, one);
  try {
    s.run();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    std::string w = e.what();
    EXPECT_EQ(e.node(), "outer_loop") << w;
    for (const char* p : {"body 'body', iteration 0", "bad_reshape", "Reshape"})
      EXPECT_NE(w.find(p), std::string::npos) << p << " in " << w;
  }
  // A trip count above the limit, without a condition, is refused.
  int64_t huge = int64_t(1) << 40;
  s.set_input(1, &good, sizeof good, one);
  s.set_input(2, &huge, sizeof huge, scalar);
  expect_error([&] { s.run(); }, ErrorCode::kUnsupportedOp, {"outer_loop", "exceeds the limit"});
}

TEST(ControlFlow, UndefinedNameInBodyNamesNodeAndBody) {
  ModelBuilder m;
  m.input("c", {}, kBool).output("y");
  G t, e;
  body_node(t, "Neg", {"nowhere"}, {"a"}, "neg");
  body_out(t, "a", kF32);
  body_node(e, "Neg", {"nowhere"}, {"b"}, "neg");
  body_out(e, "b", kF32);
  auto& n = m.node("If", {"c"}, {"y"}, "pick");
  attr_g(n, "then_branch", t);
  attr_g(n, "else_branch", e);
  expect_error([&] { load(m); }, ErrorCode::kMalformedModel,
               {"node 'pick' (If)", "body 'then_branch'", "'nowhere'", "node 'neg'"});
}

TEST(ControlFlow, MalformedBodiesAreRefusedAtLoad) {
  ModelBuilder m;
  m.input("c", {}, kBool).input("x", {2}).output("y");
  G t;
  body_node(t, "Neg", {"x"}, {"a"}, "neg");
  body_out(t, "a", kF32);
  auto& n = m.node("If", {"c"}, {"y"}, "half_if");
  attr_g(n, "then_branch", t);
  expect_error([&] { load(m); }, ErrorCode::kMalformedModel,
               {"node 'half_if' (If)", "needs a graph attribute 'else_branch'"});
  // A Loop body must take the iteration number, the condition and each
  // carried value.
  ModelBuilder l;
  l.init_i64("M", {}, {3}).init("v0", {1}, {0}).output("v");
  G body;
  body_in(body, "i", kI64);
  body_node(body, "Identity", {"v0"}, {"v_out"}, "same");
  body_node(body, "Cast", {"i"}, {"c_out"}, "cond");
  test::attr_i(*body.mutable_node(1), "to", 9);
  body_out(body, "c_out", kBool);
  body_out(body, "v_out", kF32);
  attr_g(l.node("Loop", {"M", "", "v0"}, {"v"}, "short_body"), "body", body);
  expect_error([&] { load(l); }, ErrorCode::kMalformedModel,
               {"node 'short_body' (Loop)", "body 'body' has 1 inputs, the node gives it 3"});
}

// Shape inference descends into bodies: branches of different lengths give
// an unknown dim, as does a carried value that grows per iteration; the
// Loop's scan output gets a leading iteration dim.
TEST(ControlFlow, ShapesMergeAcrossBranchesAndIterations) {
  ModelBuilder m;
  m.input("c", {}, kBool).init("a", {2}, {1, 2}).init("b", {3}, {1, 2, 3}).output("y");
  G t, e;
  body_node(t, "Neg", {"a"}, {"ta"}, "neg_a");
  body_out(t, "ta", kF32);
  body_node(e, "Neg", {"b"}, {"tb"}, "neg_b");
  body_out(e, "tb", kF32);
  auto& n = m.node("If", {"c"}, {"y"}, "pick");
  attr_g(n, "then_branch", t);
  attr_g(n, "else_branch", e);
  std::string bytes = m.bytes();
  ir::Graph g = onnx::import_model(bytes.data(), bytes.size());
  passes::infer_shapes(g);
  const ir::Value& y = g.value(g.find_value("y"));
  EXPECT_EQ(y.dtype, ir::DType::kFloat32);
  EXPECT_EQ(y.shape.str(), "[?]");
  // Both bodies read their outer value through implicit inputs.
  EXPECT_EQ(g.nodes[0].implicit_inputs, 2);
  const ir::Graph& tb = *g.nodes[0].attrs.find("then_branch")->g;
  EXPECT_EQ(tb.implicit_inputs, 2u);
  EXPECT_EQ(tb.value(tb.inputs[0]).name, "a");
  EXPECT_EQ(tb.value(tb.inputs[1]).name, "b");
}

}  // namespace
}  // namespace rnpu
