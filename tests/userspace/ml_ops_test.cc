// ai.onnx.ml operators on the cpu backend: a tree classifier and a linear
// model built with the protobuf API and run through a Session, and the
// error paths of malformed ensembles (cycles, out-of-range ids, list
// lengths, unknown post_transform), which must be an rnpu::Error naming the
// node, never a hang or an out-of-bounds read.  Other backends keep
// refusing the ml domain.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "backend/backend.h"
#include "backends/cpu/kernels/kernel.h"
#include "onnx/importer.h"
#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"

namespace rnpu {
namespace {

using test::attr_floats;
using test::attr_i;
using test::attr_ints;
using test::attr_s;
using test::attr_strings;
using test::ModelBuilder;

// A 1-D tensor attribute: doubles, floats or uint8 (TreeEnsemble's modes).
void attr_tensor(::onnx::NodeProto& n, const std::string& name, std::vector<double> v,
                 int elem = ::onnx::TensorProto::DOUBLE) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::TENSOR);
  auto* t = a->mutable_t();
  t->set_data_type(elem);
  t->add_dims(int64_t(v.size()));
  for (double x : v) {
    if (elem == ::onnx::TensorProto::DOUBLE)
      t->add_double_data(x);
    else if (elem == ::onnx::TensorProto::FLOAT)
      t->add_float_data(float(x));
    else
      t->add_int32_data(int32_t(x));
  }
}

ModelBuilder ml_model(int ml_opset) {
  ModelBuilder m(17);
  auto* os = m.proto().add_opset_import();
  os->set_domain("ai.onnx.ml");
  os->set_version(ml_opset);
  return m;
}

Options cpu_only() {
  Options o;
  o.backends = {"cpu"};
  o.allow_fallback = false;
  return o;
}

// Three classes, two trees over two features, weights as a double tensor
// (ml opset 3), base values and SOFTMAX; tree 0 sends a NaN x0 down its
// true branch.
std::string tree_classifier() {
  ModelBuilder m = ml_model(3);
  m.input("x", {3, 2}).output("label", ::onnx::TensorProto::INT64).output("p");
  auto& n = m.node("TreeEnsembleClassifier", {"x"}, {"label", "p"}, "forest");
  n.set_domain("ai.onnx.ml");
  attr_ints(n, "nodes_treeids", {0, 0, 0, 1, 1, 1});
  attr_ints(n, "nodes_nodeids", {0, 1, 2, 0, 1, 2});
  attr_ints(n, "nodes_featureids", {0, 0, 0, 1, 0, 0});
  attr_strings(n, "nodes_modes", {"BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_LT", "LEAF", "LEAF"});
  attr_floats(n, "nodes_values", {0.5f, 0, 0, 1.0f, 0, 0});
  attr_ints(n, "nodes_truenodeids", {1, 0, 0, 1, 0, 0});
  attr_ints(n, "nodes_falsenodeids", {2, 0, 0, 2, 0, 0});
  attr_ints(n, "nodes_missing_value_tracks_true", {1, 0, 0, 0, 0, 0});
  attr_ints(n, "class_treeids", {0, 0, 0, 1, 1});
  attr_ints(n, "class_nodeids", {1, 2, 2, 1, 2});
  attr_ints(n, "class_ids", {0, 1, 2, 2, 0});
  attr_tensor(n, "class_weights_as_tensor", {2.0, 1.0, 0.5, 1.0, 0.25});
  attr_floats(n, "base_values", {0.1f, 0.2f, 0.3f});
  attr_ints(n, "classlabels_int64s", {10, 20, 30});
  attr_s(n, "post_transform", "SOFTMAX");
  return m.bytes();
}

std::vector<double> softmax(std::vector<double> v) {
  double m = std::max({v[0], v[1], v[2]}), s = 0;
  for (double& x : v) s += x = std::exp(x - m);
  for (double& x : v) x /= s;
  return v;
}

TEST(MlOps, TreeEnsembleClassifierRunsOnCpu) {
  std::string b = tree_classifier();
  Session s = Session::load_memory(b.data(), b.size(), cpu_only());
  const float nan = std::numeric_limits<float>::quiet_NaN();
  float x[6] = {0, 0, 1, 2, nan, 0};
  int64_t shape[2] = {3, 2};
  s.set_input(0, x, sizeof x, shape);
  s.run();
  TensorView label = s.output(0), p = s.output(1);
  ASSERT_EQ(label.shape, (std::vector<int64_t>{3}));
  ASSERT_EQ(p.shape, (std::vector<int64_t>{3, 3}));
  const int64_t* l = static_cast<const int64_t*>(label.data);
  EXPECT_EQ(l[0], 10);
  EXPECT_EQ(l[1], 20);
  EXPECT_EQ(l[2], 10);
  // Row 0: tree 0 leaf 1 (class 0 +2), tree 1 leaf 1 (class 2 +1); row 1:
  // tree 0 leaf 2 (class 1 +1, class 2 +0.5), tree 1 leaf 2 (class 0 +0.25).
  std::vector<std::vector<double>> want = {softmax({2.1, 0.2, 1.3}), softmax({0.35, 1.2, 0.8}),
                                           softmax({2.1, 0.2, 1.3})};
  const float* pv = static_cast<const float*>(p.data);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(pv[r * 3 + c], want[r][c], 1e-6) << r << "," << c;
}

// One coefficient row for two labels is the binary form: scores [-s, s].
TEST(MlOps, LinearClassifierBinaryLogistic) {
  ModelBuilder m = ml_model(1);
  m.input("x", {2, 2}).output("label", ::onnx::TensorProto::INT64).output("p");
  auto& n = m.node("LinearClassifier", {"x"}, {"label", "p"}, "lin");
  n.set_domain("ai.onnx.ml");
  attr_floats(n, "coefficients", {1.0f, -2.0f});
  attr_floats(n, "intercepts", {0.5f});
  attr_ints(n, "classlabels_ints", {7, 9});
  attr_s(n, "post_transform", "LOGISTIC");
  std::string b = m.bytes();
  Session s = Session::load_memory(b.data(), b.size(), cpu_only());
  float x[4] = {1, 0, 0, 1};  // scores 1.5 and -1.5
  int64_t shape[2] = {2, 2};
  s.set_input(0, x, sizeof x, shape);
  s.run();
  const int64_t* l = static_cast<const int64_t*>(s.output(0).data);
  const float* p = static_cast<const float*>(s.output(1).data);
  EXPECT_EQ(l[0], 9);
  EXPECT_EQ(l[1], 7);
  auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  EXPECT_NEAR(p[0], sig(-1.5), 1e-6);
  EXPECT_NEAR(p[1], sig(1.5), 1e-6);
  EXPECT_NEAR(p[2], sig(1.5), 1e-6);
  EXPECT_NEAR(p[3], sig(-1.5), 1e-6);
}

// The attributes of a TreeEnsemble-5 node "te": two LEQ nodes (0.5, 1.5)
// and two leaves (weights 1 and 2) of target 0; tests break one list.
struct Te {
  std::vector<double> modes = {0, 0};
  std::vector<int64_t> feat = {0, 0}, t_id = {1, 0}, t_leaf = {0, 1}, f_id = {1, 1},
                       f_leaf = {1, 1};
  std::vector<double> splits = {0.5, 1.5};
  std::vector<int64_t> leaf_t = {0, 0};
  std::string post;
  int64_t post_i = 0;
};

std::string tree_ensemble(const Te& t, int64_t features = 1) {
  ModelBuilder m = ml_model(5);
  m.input("x", {2, features}).output("y");
  auto& n = m.node("TreeEnsemble", {"x"}, {"y"}, "te");
  n.set_domain("ai.onnx.ml");
  attr_tensor(n, "nodes_modes", t.modes, ::onnx::TensorProto::UINT8);
  attr_ints(n, "nodes_featureids", t.feat);
  attr_tensor(n, "nodes_splits", t.splits, ::onnx::TensorProto::FLOAT);
  attr_ints(n, "nodes_truenodeids", t.t_id);
  attr_ints(n, "nodes_trueleafs", t.t_leaf);
  attr_ints(n, "nodes_falsenodeids", t.f_id);
  attr_ints(n, "nodes_falseleafs", t.f_leaf);
  attr_ints(n, "leaf_targetids", t.leaf_t);
  attr_tensor(n, "leaf_weights", {1.0, 2.0}, ::onnx::TensorProto::FLOAT);
  attr_ints(n, "tree_roots", {0});
  attr_i(n, "n_targets", 1);
  attr_i(n, "post_transform", t.post_i);
  return m.bytes();
}

// Loading must fail with an rnpu::Error naming node "te" whose message
// contains `what`.
void expect_refused(const std::string& model, const std::string& what) {
  try {
    Session::load_memory(model.data(), model.size(), cpu_only());
    ADD_FAILURE() << "loaded; expected an error about " << what;
  } catch (const Error& e) {
    EXPECT_EQ(e.node(), "te") << e.what();
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

TEST(MlOps, WellFormedTreeEnsembleRuns) {
  std::string b = tree_ensemble(Te{});
  Session s = Session::load_memory(b.data(), b.size(), cpu_only());
  float x[2] = {0.2f, 1.0f};
  int64_t shape[2] = {2, 1};
  s.set_input(0, x, sizeof x, shape);
  s.run();
  const float* y = static_cast<const float*>(s.output(0).data);
  // x=0.2: node 0 (<= 0.5) true -> node 1, (<= 1.5) true -> leaf 0 (1.0).
  // x=1.0: node 0 false -> leaf 1 (2.0).
  EXPECT_EQ(y[0], 1.0f);
  EXPECT_EQ(y[1], 2.0f);
}

TEST(MlOps, TreeEnsembleCycleIsAnError) {
  Te t;
  t.t_leaf = {0, 0};  // node 1's true branch goes back to node 0
  expect_refused(tree_ensemble(t), "cycle");
}

TEST(MlOps, TreeEnsembleNodeIdOutOfRangeIsAnError) {
  Te t;
  t.t_id = {7, 0};
  expect_refused(tree_ensemble(t), "nodes_truenodeids[0] = 7");
  Te leaf;
  leaf.f_id = {0, 5};
  expect_refused(tree_ensemble(leaf), "nodes_falsenodeids[1] = 5 is not a leaf index");
}

TEST(MlOps, TreeEnsembleListLengthsMustAgree) {
  Te t;
  t.feat = {0};
  expect_refused(tree_ensemble(t), "nodes_featureids has 1 entries, 2 expected");
  Te s;
  s.splits = {0.5, 1.5, 2.5};
  expect_refused(tree_ensemble(s), "nodes_splits has 3 entries");
  Te l;
  l.leaf_t = {0};
  expect_refused(tree_ensemble(l), "leaf_weights has 2 entries, 1 expected");
}

TEST(MlOps, TreeEnsembleBadTargetOrModeIsAnError) {
  Te t;
  t.leaf_t = {0, 3};
  expect_refused(tree_ensemble(t), "leaf_targetids[1] = 3");
  Te m;
  m.modes = {0, 9};
  expect_refused(tree_ensemble(m), "nodes_modes[1] = 9");
}

TEST(MlOps, UnknownPostTransformIsAnError) {
  Te t;
  t.post_i = 9;
  expect_refused(tree_ensemble(t), "post_transform 9");

  ModelBuilder m = ml_model(1);
  m.input("x", {1, 2}).output("y");
  auto& n = m.node("LinearRegressor", {"x"}, {"y"}, "te");
  n.set_domain("ai.onnx.ml");
  attr_floats(n, "coefficients", {1, 2});
  attr_s(n, "post_transform", "BOGUS");
  expect_refused(m.bytes(), "post_transform 'BOGUS'");
}

TEST(MlOps, LegacyTreeNamingAMissingNodeIsAnError) {
  ModelBuilder m = ml_model(1);
  m.input("x", {1, 1}).output("y");
  auto& n = m.node("TreeEnsembleRegressor", {"x"}, {"y"}, "te");
  n.set_domain("ai.onnx.ml");
  attr_ints(n, "nodes_treeids", {0, 0});
  attr_ints(n, "nodes_nodeids", {0, 1});
  attr_ints(n, "nodes_featureids", {0, 0});
  attr_strings(n, "nodes_modes", {"BRANCH_LEQ", "LEAF"});
  attr_floats(n, "nodes_values", {0.5f, 0});
  attr_ints(n, "nodes_truenodeids", {1, 0});
  attr_ints(n, "nodes_falsenodeids", {4, 0});  // tree 0 has no node 4
  attr_ints(n, "target_treeids", {0});
  attr_ints(n, "target_nodeids", {1});
  attr_ints(n, "target_ids", {0});
  attr_floats(n, "target_weights", {1});
  attr_i(n, "n_targets", 1);
  expect_refused(m.bytes(), "nodes_falsenodeids[0] = 4 is no node of tree 0");
}

TEST(MlOps, LegacyTreeMismatchedListsAreAnError) {
  ModelBuilder m = ml_model(1);
  m.input("x", {1, 1}).output("label", ::onnx::TensorProto::INT64).output("p");
  auto& n = m.node("TreeEnsembleClassifier", {"x"}, {"label", "p"}, "te");
  n.set_domain("ai.onnx.ml");
  attr_ints(n, "nodes_treeids", {0});
  attr_ints(n, "nodes_nodeids", {0});
  attr_ints(n, "nodes_featureids", {0});
  attr_strings(n, "nodes_modes", {"LEAF"});
  attr_floats(n, "nodes_values", {0});
  attr_ints(n, "nodes_truenodeids", {0});
  attr_ints(n, "nodes_falsenodeids", {0});
  attr_ints(n, "class_treeids", {0, 0});
  attr_ints(n, "class_nodeids", {0});
  attr_ints(n, "class_ids", {0, 1});
  attr_floats(n, "class_weights", {1, 1});
  attr_ints(n, "classlabels_int64s", {0, 1});
  expect_refused(m.bytes(), "class_nodeids has 1 entries, 2 expected");
}

// Feature ids are checked against X when it runs: an error naming the node.
TEST(MlOps, FeatureIdBeyondXIsARunError) {
  Te t;
  t.feat = {0, 3};
  std::string b = tree_ensemble(t);
  Session s = Session::load_memory(b.data(), b.size(), cpu_only());
  float x[2] = {0, 0};
  int64_t shape[2] = {2, 1};
  s.set_input(0, x, sizeof x, shape);
  try {
    s.run();
    ADD_FAILURE() << "ran";
  } catch (const Error& e) {
    EXPECT_EQ(e.node(), "te");
    EXPECT_NE(std::string(e.what()).find("feature 3"), std::string::npos) << e.what();
  }
}

// The kernel itself (reached without the support check, as the unit tests
// do) refuses a cycle instead of walking forever.
TEST(MlOps, KernelRefusesCycleWithoutSupportCheck) {
  using namespace cpu;
  Attrs a;
  Tensor modes = Tensor::make(DType::kU8, {2}), splits = Tensor::make(DType::kF32, {2}),
         w = Tensor::make(DType::kF32, {1});
  a.set("nodes_modes", modes).set("nodes_splits", splits).set("leaf_weights", w);
  a.set("nodes_featureids", std::vector<int64_t>{0, 0});
  a.set("nodes_truenodeids", std::vector<int64_t>{1, 0});
  a.set("nodes_trueleafs", std::vector<int64_t>{0, 0});
  a.set("nodes_falsenodeids", std::vector<int64_t>{1, 0});
  a.set("nodes_falseleafs", std::vector<int64_t>{0, 0});
  a.set("leaf_targetids", std::vector<int64_t>{0});
  a.set("tree_roots", std::vector<int64_t>{0});
  a.set("n_targets", int64_t(1));
  Tensor x = Tensor::make(DType::kF32, {1, 1});
  std::vector<Tensor> outs(1);
  KernelContext ctx(a, {&x}, &outs, 5);
  EXPECT_THROW(KernelRegistry::get().run(kernel_key("ai.onnx.ml", "TreeEnsemble"), ctx),
               KernelError);
  // An ai.onnx node of the same name finds no kernel.
  EXPECT_EQ(KernelRegistry::get().find("TreeEnsemble"), nullptr);
}

// String labels run (ml_strings_test.cc); one string label for a single
// score leaves "no" without a label, so it is refused by name at load.
TEST(MlOps, SingleStringLabelIsRefusedClearly) {
  ModelBuilder m = ml_model(1);
  m.input("x", {1, 2}).output("label", ::onnx::TensorProto::STRING).output("p");
  auto& n = m.node("LinearClassifier", {"x"}, {"label", "p"}, "te");
  n.set_domain("ai.onnx.ml");
  attr_floats(n, "coefficients", {1, 2});
  attr_strings(n, "classlabels_strings", {"a"});
  std::string b = m.bytes();
  try {
    Session::load_memory(b.data(), b.size(), cpu_only());
    ADD_FAILURE() << "loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("single string label is not supported"), std::string::npos)
        << e.what();
  }
}

// The ml domain stays a cpu-only domain.
TEST(MlOps, OtherBackendsRefuseTheMlDomain) {
  std::string b = tree_ensemble(Te{});
  ir::Graph g = onnx::import_model(b.data(), b.size(), onnx::ImportOptions{});
  const ir::Node& n = g.nodes.at(0);
  ASSERT_EQ(n.domain, "ai.onnx.ml");
  int checked = 0;
  for (const char* name : {"vulkan", "npu", "sim"}) {
    Backend* be = BackendRegistry::instance().get(name);
    if (!be) continue;
    Support s = be->supports(g, n);
    EXPECT_FALSE(s.ok) << name;
    EXPECT_NE(s.reason.find("ai.onnx.ml"), std::string::npos) << name << ": " << s.reason;
    ++checked;
  }
  Backend* cpu = BackendRegistry::instance().get("cpu");
  ASSERT_NE(cpu, nullptr);
  EXPECT_TRUE(cpu->supports(g, n).ok) << cpu->supports(g, n).reason;
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace rnpu
