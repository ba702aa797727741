// The string forms of the ai.onnx.ml operators on the cpu backend, as
// skl2onnx exports scikit-learn models with string class labels:
// TreeEnsembleClassifier / LinearClassifier with classlabels_strings,
// OneHotEncoder with cats_strings, LabelEncoder between strings and
// numbers, and string tensors carried through If and Loop.
#include <gtest/gtest.h>

#include <cmath>

#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"
#include "support/session_util.h"

namespace rnpu {
namespace {

using test::attr_floats;
using test::attr_g;
using test::attr_i;
using test::attr_ints;
using test::attr_s;
using test::attr_strings;
using test::body_node;
using test::expect_error;
using test::floats;
using test::load;
using test::ModelBuilder;
using G = ::onnx::GraphProto;
constexpr int kF32 = 1, kI64 = 7, kStr = 8, kBool = 9;

ModelBuilder ml_model(int ml_opset = 1) {
  ModelBuilder m(17);
  auto* os = m.proto().add_opset_import();
  os->set_domain("ai.onnx.ml");
  os->set_version(ml_opset);
  return m;
}

// One tree over x0: x0 <= 0.5 gives `lo`, else `hi`, each a list of
// (class id, weight) votes; labels as strings.
struct Tree {
  std::vector<std::pair<int64_t, float>> lo, hi;
  std::vector<std::string> labels;
  std::string post = "NONE";
};

ModelBuilder tree_model(const Tree& t) {
  ModelBuilder m = ml_model();
  m.input("x", {2, 1}).output("label", kStr).output("p");
  auto& n = m.node("TreeEnsembleClassifier", {"x"}, {"label", "p"}, "forest");
  n.set_domain("ai.onnx.ml");
  attr_ints(n, "nodes_treeids", {0, 0, 0});
  attr_ints(n, "nodes_nodeids", {0, 1, 2});
  attr_ints(n, "nodes_featureids", {0, 0, 0});
  attr_strings(n, "nodes_modes", {"BRANCH_LEQ", "LEAF", "LEAF"});
  attr_floats(n, "nodes_values", {0.5f, 0, 0});
  attr_ints(n, "nodes_truenodeids", {1, 0, 0});
  attr_ints(n, "nodes_falsenodeids", {2, 0, 0});
  std::vector<int64_t> tree, node, ids;
  std::vector<float> w;
  for (int64_t leaf : {1, 2})
    for (auto [c, weight] : leaf == 1 ? t.lo : t.hi) {
      tree.push_back(0);
      node.push_back(leaf);
      ids.push_back(c);
      w.push_back(weight);
    }
  attr_ints(n, "class_treeids", tree);
  attr_ints(n, "class_nodeids", node);
  attr_ints(n, "class_ids", ids);
  attr_floats(n, "class_weights", w);
  attr_strings(n, "classlabels_strings", t.labels);
  attr_s(n, "post_transform", t.post);
  return m;
}

// Runs a [2, 1] float X through a classifier; labels and scores.
std::pair<std::vector<std::string>, std::vector<float>> classify(Session& s, std::vector<float> x) {
  std::vector<int64_t> shape = {int64_t(x.size()), 1};
  s.set_input(0, x, shape);
  s.run();
  std::vector<int64_t> ls;
  std::vector<std::string> labels = s.output_strings(0, &ls);
  EXPECT_EQ(ls, (std::vector<int64_t>{int64_t(x.size())}));
  return {labels, floats(s.output(1))};
}

// Two classes with every vote on class 1: scores [1 - s, s] as in the
// ONNX reference.
TEST(MlStrings, TreeClassifierTwoStringLabels) {
  Tree t{{{1, 0.2f}}, {{1, 0.9f}}, {"no", "yes"}};
  Session s = load(tree_model(t));
  auto [labels, p] = classify(s, {0.f, 1.f});
  EXPECT_EQ(labels, (std::vector<std::string>{"no", "yes"}));
  ASSERT_EQ(p.size(), 4u);
  EXPECT_NEAR(p[0], 0.8, 1e-6);
  EXPECT_NEAR(p[1], 0.2, 1e-6);
  EXPECT_NEAR(p[2], 0.1, 1e-6);
  EXPECT_NEAR(p[3], 0.9, 1e-6);
}

TEST(MlStrings, TreeClassifierThreeStringLabelsSoftmax) {
  Tree t{{{0, 2.f}, {2, 1.f}}, {{1, 1.f}, {2, 3.f}}, {"cat", "dog", "bird"}, "SOFTMAX"};
  Session s = load(tree_model(t));
  auto [labels, p] = classify(s, {0.f, 1.f});
  EXPECT_EQ(labels, (std::vector<std::string>{"cat", "bird"}));
  auto softmax = [](std::vector<double> v) {
    double sum = 0;
    for (double& x : v) sum += x = std::exp(x);
    for (double& x : v) x /= sum;
    return v;
  };
  std::vector<double> want = softmax({2, 0, 1}), want2 = softmax({0, 1, 3});
  want.insert(want.end(), want2.begin(), want2.end());
  ASSERT_EQ(p.size(), 6u);
  for (size_t i = 0; i < 6; ++i) EXPECT_NEAR(p[i], want[i], 1e-6) << i;
}

// The trees vote for class 2 but only two labels are given.
TEST(MlStrings, TreeClassifierLabelCountMismatchFailsAtLoad) {
  Tree t{{{0, 1.f}}, {{2, 1.f}}, {"a", "b"}};
  expect_error([&] { load(tree_model(t)); }, ErrorCode::kUnsupportedOp,
               {"forest", "class_ids", "2"});
}

TEST(MlStrings, TreeClassifierSingleStringLabelRefused) {
  Tree t{{{0, 1.f}}, {{0, 2.f}}, {"only"}};
  expect_error([&] { load(tree_model(t)); }, ErrorCode::kUnsupportedOp,
               {"forest", "single class label"});
}

ModelBuilder linear_model(std::vector<float> coef, std::vector<float> icpt,
                          std::vector<std::string> labels, const std::string& post) {
  ModelBuilder m = ml_model();
  m.input("x", {2, 2}).output("label", kStr).output("p");
  auto& n = m.node("LinearClassifier", {"x"}, {"label", "p"}, "lin");
  n.set_domain("ai.onnx.ml");
  attr_floats(n, "coefficients", coef);
  attr_floats(n, "intercepts", icpt);
  attr_strings(n, "classlabels_strings", labels);
  attr_s(n, "post_transform", post);
  return m;
}

TEST(MlStrings, LinearClassifierThreeStringLabels) {
  Session s = load(linear_model({1, 0, 0, 1, -1, -1}, {0, 0, 0.5f}, {"x", "y", "z"}, "NONE"));
  std::vector<float> x = {2, 1, -1, -2};  // scores [2, 1, -2.5], [-1, -2, 3.5]
  std::vector<int64_t> shape = {2, 2};
  s.set_input(0, x, shape);
  s.run();
  EXPECT_EQ(s.output_strings(0), (std::vector<std::string>{"x", "z"}));
  EXPECT_EQ(floats(s.output(1)), (std::vector<float>{2, 1, -2.5f, -1, -2, 3.5f}));
}

// One coefficient row for two labels: [-s, s], the second label wins when
// s > 0.
TEST(MlStrings, LinearClassifierBinaryStringLabels) {
  Session s = load(linear_model({1, -2}, {0.5f}, {"neg", "pos"}, "LOGISTIC"));
  std::vector<float> x = {1, 0, 0, 1};  // s = 1.5, -1.5
  std::vector<int64_t> shape = {2, 2};
  s.set_input(0, x, shape);
  s.run();
  EXPECT_EQ(s.output_strings(0), (std::vector<std::string>{"pos", "neg"}));
  std::vector<float> p = floats(s.output(1));
  ASSERT_EQ(p.size(), 4u);
  EXPECT_NEAR(p[1], 1 / (1 + std::exp(-1.5)), 1e-6);
}

TEST(MlStrings, LinearClassifierLabelCountMismatchFailsAtRun) {
  Session s = load(linear_model({1, 0, 0, 1, -1, -1}, {}, {"x", "y"}, "NONE"));
  std::vector<float> x = {2, 1, -1, -2};
  std::vector<int64_t> shape = {2, 2};
  s.set_input(0, x, shape);
  expect_error([&] { s.run(); }, ErrorCode::kRuntime, {"lin", "classlabels_strings", "3"});
}

ModelBuilder one_hot(int64_t zeros) {
  ModelBuilder m = ml_model();
  m.input("x", {3}, kStr).output("y");
  auto& n = m.node("OneHotEncoder", {"x"}, {"y"}, "ohe");
  n.set_domain("ai.onnx.ml");
  attr_strings(n, "cats_strings", {"red", "green"});
  attr_i(n, "zeros", zeros);
  return m;
}

TEST(MlStrings, OneHotEncoderStringsUnknownIsZeros) {
  Session s = load(one_hot(1));
  std::vector<std::string> x = {"green", "blue", "red"};
  s.set_input_strings(0, x, std::vector<int64_t>{3});
  s.run();
  EXPECT_EQ(s.output(0).shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(floats(s.output(0)), (std::vector<float>{0, 1, 0, 0, 1, 0}));
}

TEST(MlStrings, OneHotEncoderStringsUnknownFailsWithZeros0) {
  Session s = load(one_hot(0));
  std::vector<std::string> x = {"green", "blue", "red"};
  s.set_input_strings(0, x, std::vector<int64_t>{3});
  expect_error([&] { s.run(); }, ErrorCode::kRuntime, {"ohe", "'blue'", "zeros is 0"});
}

// LabelEncoder (opset 2) between strings and int64 / float / strings, both
// directions, with the defaults for unknown keys.
TEST(MlStrings, LabelEncoderAllStringCombinations) {
  struct Case {
    int in, out;
    const char *keys, *values, *dflt;
  };
  for (Case c : {Case{kStr, kI64, "keys_strings", "values_int64s", "default_int64"},
                 Case{kStr, kF32, "keys_strings", "values_floats", "default_float"},
                 Case{kStr, kStr, "keys_strings", "values_strings", "default_string"},
                 Case{kI64, kStr, "keys_int64s", "values_strings", "default_string"},
                 Case{kF32, kStr, "keys_floats", "values_strings", "default_string"}}) {
    SCOPED_TRACE(std::string(c.keys) + " -> " + c.values);
    ModelBuilder m = ml_model(2);
    m.input("x", {3}, c.in).output("y", c.out);
    auto& n = m.node("LabelEncoder", {"x"}, {"y"}, "le");
    n.set_domain("ai.onnx.ml");
    if (c.in == kStr)
      attr_strings(n, c.keys, {"a", "b"});
    else if (c.in == kI64)
      attr_ints(n, c.keys, {1, 2});
    else
      attr_floats(n, c.keys, {1, 2});
    if (c.out == kStr) {
      attr_strings(n, c.values, {"one", "two"});
      attr_s(n, c.dflt, "none");
    } else if (c.out == kI64) {
      attr_ints(n, c.values, {10, 20});
      attr_i(n, c.dflt, -1);
    } else {
      attr_floats(n, c.values, {0.5f, 1.5f});
      auto* d = n.add_attribute();
      d->set_name(c.dflt);
      d->set_type(::onnx::AttributeProto::FLOAT);
      d->set_f(-1);
    }
    Session s = load(m);
    std::vector<int64_t> shape = {3};
    std::vector<std::string> xs = {"b", "zz", "a"};
    std::vector<int64_t> xi = {2, 7, 1};
    std::vector<float> xf = {2, 7, 1};
    if (c.in == kStr)
      s.set_input_strings(0, xs, shape);
    else if (c.in == kI64)
      s.set_input(0, xi.data(), xi.size() * sizeof(int64_t), shape);
    else
      s.set_input(0, xf, shape);
    s.run();
    if (c.out == kStr) {
      EXPECT_EQ(s.output_strings(0), (std::vector<std::string>{"two", "none", "one"}));
    } else if (c.out == kI64) {
      const int64_t* y = static_cast<const int64_t*>(s.output(0).data);
      EXPECT_EQ(std::vector<int64_t>(y, y + 3), (std::vector<int64_t>{20, -1, 10}));
    } else {
      EXPECT_EQ(floats(s.output(0)), (std::vector<float>{1.5f, -1, 0.5f}));
    }
  }
}

// ---------------------------------------------------------- control flow
void vi(::onnx::ValueInfoProto* v, const std::string& name, int elem) {
  v->set_name(name);
  v->mutable_type()->mutable_tensor_type()->set_elem_type(elem);
}
// A Constant node giving a 1-D string tensor.
void string_constant(G& g, const std::string& out, std::vector<std::string> v) {
  auto& n = body_node(g, "Constant", {}, {out}, out + "_const");
  auto* a = n.add_attribute();
  a->set_name("value");
  a->set_type(::onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(::onnx::TensorProto::STRING);
  a->mutable_t()->add_dims(int64_t(v.size()));
  for (auto& x : v) a->mutable_t()->add_string_data(x);
}

// then: the outer string input (an implicit input); else: a string
// constant of another length.  Either result is a string tensor.
TEST(MlStrings, IfReturnsStringsFromEitherBranch) {
  ModelBuilder m(17);
  m.input("c", {}, kBool).input("x", {2}, kStr).output("y", kStr);
  G then_b, else_b;
  then_b.set_name("pass");
  body_node(then_b, "Identity", {"x"}, {"t"}, "same");
  vi(then_b.add_output(), "t", kStr);
  else_b.set_name("fixed");
  string_constant(else_b, "e", {"p", "q", "r"});
  vi(else_b.add_output(), "e", kStr);
  auto& n = m.node("If", {"c"}, {"y"}, "pick");
  attr_g(n, "then_branch", then_b);
  attr_g(n, "else_branch", else_b);
  Session s = load(m);
  std::vector<std::string> x = {"hello", "world"};
  for (bool c : {true, false}) {
    uint8_t cv = c;
    s.set_input(0, &cv, 1, std::vector<int64_t>{});
    s.set_input_strings(1, x, std::vector<int64_t>{2});
    s.run();
    std::vector<int64_t> shape;
    std::vector<std::string> y = s.output_strings(0, &shape);
    if (c) {
      EXPECT_EQ(y, x);
      EXPECT_EQ(shape, (std::vector<int64_t>{2}));
    } else {
      EXPECT_EQ(y, (std::vector<std::string>{"p", "q", "r"}));
      EXPECT_EQ(shape, (std::vector<int64_t>{3}));
    }
  }
}

// acc = StringConcat(acc, "!") three times; the carried value is a string
// tensor in and out of every iteration.
TEST(MlStrings, LoopCarriesAStringTensor) {
  ModelBuilder m(20);
  m.input("acc0", {2}, kStr).init_i64("M", {}, {3}).output("acc", kStr);
  G body;
  body.set_name("shout");
  vi(body.add_input(), "i", kI64);
  vi(body.add_input(), "cond", kBool);
  vi(body.add_input(), "a_in", kStr);
  string_constant(body, "bang", {"!"});
  body_node(body, "StringConcat", {"a_in", "bang"}, {"a_out"}, "append");
  body_node(body, "Identity", {"cond"}, {"c_out"}, "keep");
  vi(body.add_output(), "c_out", kBool);
  vi(body.add_output(), "a_out", kStr);
  auto& l = m.node("Loop", {"M", "", "acc0"}, {"acc"}, "loop");
  attr_g(l, "body", body);
  Session s = load(m);
  std::vector<std::string> x = {"a", "bc"};
  s.set_input_strings(0, x, std::vector<int64_t>{2});
  s.run();
  EXPECT_EQ(s.output_strings(0), (std::vector<std::string>{"a!!!", "bc!!!"}));
}

// Scan stacks bytes: a string scan output is refused at load, naming it.
TEST(MlStrings, LoopStringScanOutputFailsClearly) {
  ModelBuilder m(20);
  m.input("acc0", {1}, kStr).init_i64("M", {}, {2}).output("acc", kStr).output("all", kStr);
  G body;
  body.set_name("b");
  vi(body.add_input(), "i", kI64);
  vi(body.add_input(), "cond", kBool);
  vi(body.add_input(), "a_in", kStr);
  body_node(body, "Identity", {"a_in"}, {"a_out"}, "same");
  body_node(body, "Identity", {"a_in"}, {"scan"}, "again");
  body_node(body, "Identity", {"cond"}, {"c_out"}, "keep");
  vi(body.add_output(), "c_out", kBool);
  vi(body.add_output(), "a_out", kStr);
  vi(body.add_output(), "scan", kStr);
  auto& l = m.node("Loop", {"M", "", "acc0"}, {"acc", "all"}, "loop");
  attr_g(l, "body", body);
  Session s = load(m);
  std::vector<std::string> x = {"a"};
  s.set_input_strings(0, x, std::vector<int64_t>{1});
  expect_error([&] { s.run(); }, ErrorCode::kUnsupportedOp,
               {"loop", "scan output 0", "string tensor"});
}

}  // namespace
}  // namespace rnpu
