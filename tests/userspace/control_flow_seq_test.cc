// Sequence and optional values through control flow on the cpu backend: a
// Loop carrying a sequence it grows with SequenceInsert, an If whose result
// is an optional absent on one branch, SequenceMap over two sequences and a
// broadcast tensor, and the errors (kinds that disagree, sequence lengths
// that differ, a body failing in one iteration, Scan given a sequence).
#include <gtest/gtest.h>

#include <functional>

#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"
#include "support/session_util.h"

namespace rnpu {
namespace {

using test::attr_g;
using test::attr_i;
using test::body_node;
using test::expect_error;
using test::floats;
using test::load;
using test::ModelBuilder;
using G = ::onnx::GraphProto;
constexpr int kF32 = 1, kI64 = 7, kBool = 9;

enum class Wrap { kNone, kSequence, kOptional };
// A TypeProto: tensor of elem (dims when given), wrapped as asked.
void set_type(::onnx::TypeProto* t, int elem, Wrap w, const std::vector<int64_t>* dims = nullptr) {
  if (w == Wrap::kOptional) t = t->mutable_optional_type()->mutable_elem_type();
  if (w == Wrap::kSequence) t = t->mutable_sequence_type()->mutable_elem_type();
  auto* tt = t->mutable_tensor_type();
  tt->set_elem_type(elem);
  if (dims)
    for (int64_t d : *dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}
void add_vi(::google::protobuf::RepeatedPtrField<::onnx::ValueInfoProto>* list,
            const std::string& name, int elem, Wrap w) {
  auto* vi = list->Add();
  vi->set_name(name);
  set_type(vi->mutable_type(), elem, w);
}
// Loop n times from an empty sequence, inserting float(i) * x each time.
ModelBuilder loop_insert_model() {
  ModelBuilder m(17);
  m.input("n", {}, kI64).input("x", {2});
  add_vi(m.graph().mutable_output(), "seq", kF32, Wrap::kSequence);
  attr_i(m.node("SequenceEmpty", {}, {"empty"}, "empty"), "dtype", kF32);
  G body;
  body.set_name("grow");
  add_vi(body.mutable_input(), "i", kI64, Wrap::kNone);
  add_vi(body.mutable_input(), "c", kBool, Wrap::kNone);
  add_vi(body.mutable_input(), "s_in", kF32, Wrap::kSequence);
  attr_i(body_node(body, "Cast", {"i"}, {"fi"}, "to_float"), "to", kF32);
  body_node(body, "Mul", {"x", "fi"}, {"e"}, "scale");
  body_node(body, "SequenceInsert", {"s_in", "e"}, {"s_out"}, "insert");
  body_node(body, "Identity", {"c"}, {"c_out"}, "keep");
  add_vi(body.mutable_output(), "c_out", kBool, Wrap::kNone);
  add_vi(body.mutable_output(), "s_out", kF32, Wrap::kSequence);
  attr_g(m.node("Loop", {"n", "", "empty"}, {"seq"}, "loop"), "body", body);
  return m;
}

TEST(ControlFlowSeq, LoopBuildsSequenceWithSequenceInsert) {
  Session s = load(loop_insert_model());
  ASSERT_EQ(s.outputs()[0].kind, ValueKind::kSequence);
  std::vector<float> x = {1, -2};
  std::vector<int64_t> two = {2};
  for (int64_t n : {3, 0}) {
    s.set_input(0, &n, sizeof n, {});
    s.set_input(1, x, two);
    s.run();
    ASSERT_EQ(s.output_sequence_length(0), size_t(n));
    for (int64_t i = 0; i < n; ++i)
      EXPECT_EQ(floats(s.output_element(0, size_t(i))),
                (std::vector<float>{float(i), -2.f * float(i)}));
  }
}

// c ? Optional(x) : Optional(type tensor(float)), i.e. absent.
ModelBuilder if_optional_model(bool else_is_tensor = false) {
  ModelBuilder m(18);
  m.input("c", {}, kBool).input("x", {2});
  add_vi(m.graph().mutable_output(), "y", kF32, Wrap::kOptional);
  G then_b, else_b;
  then_b.set_name("some");
  body_node(then_b, "Optional", {"x"}, {"t"}, "wrap");
  add_vi(then_b.mutable_output(), "t", kF32, Wrap::kOptional);
  else_b.set_name("none");
  if (else_is_tensor) {
    body_node(else_b, "Neg", {"x"}, {"e"}, "neg");
    add_vi(else_b.mutable_output(), "e", kF32, Wrap::kNone);
  } else {
    auto& o = body_node(else_b, "Optional", {}, {"e"}, "nothing");
    auto* a = o.add_attribute();
    a->set_name("type");
    a->set_type(::onnx::AttributeProto::TYPE_PROTO);
    set_type(a->mutable_tp(), kF32, Wrap::kNone);
    add_vi(else_b.mutable_output(), "e", kF32, Wrap::kOptional);
  }
  auto& n = m.node("If", {"c"}, {"y"}, "maybe");
  attr_g(n, "then_branch", then_b);
  attr_g(n, "else_branch", else_b);
  return m;
}

TEST(ControlFlowSeq, IfReturnsOptionalAbsentOnOneBranch) {
  Session s = load(if_optional_model());
  ASSERT_EQ(s.outputs()[0].kind, ValueKind::kOptionalTensor);
  std::vector<float> x = {3, 4};
  std::vector<int64_t> two = {2};
  for (bool c : {true, false, true}) {
    uint8_t c8 = c;
    s.set_input(0, &c8, 1, {});
    s.set_input(1, x, two);
    s.run();
    ASSERT_EQ(s.output_has_element(0), c);
    if (c) EXPECT_EQ(floats(s.output(0)), x);
  }
}

TEST(ControlFlowSeq, IfBranchKindsMustAgree) {
  expect_error([] { load(if_optional_model(true)); }, ErrorCode::kMalformedModel,
               {"maybe", "then_branch", "else_branch", "optional(tensor)"});
}

// SequenceMap(a, b, t): each output element is (a[i] + b[i]) * t.  The
// body's Reshape to [2] fails for elements of another size.
ModelBuilder sequence_map_model(bool reshape = false) {
  ModelBuilder m(17);
  add_vi(m.graph().mutable_input(), "a", kF32, Wrap::kSequence);
  add_vi(m.graph().mutable_input(), "b", kF32, Wrap::kSequence);
  m.input("t", {1});
  add_vi(m.graph().mutable_output(), "out", kF32, Wrap::kSequence);
  G body;
  body.set_name("combine");
  add_vi(body.mutable_input(), "ea", kF32, Wrap::kNone);
  add_vi(body.mutable_input(), "eb", kF32, Wrap::kNone);
  add_vi(body.mutable_input(), "et", kF32, Wrap::kNone);
  body_node(body, "Add", {"ea", "eb"}, {"sum"}, "add");
  body_node(body, "Mul", {"sum", "et"}, {reshape ? "prod" : "r"}, "mul");
  if (reshape) {
    auto* shp = body.add_initializer();
    shp->set_name("two");
    shp->set_data_type(::onnx::TensorProto::INT64);
    shp->add_dims(1);
    shp->add_int64_data(2);
    body_node(body, "Reshape", {"prod", "two"}, {"r"}, "to_pair");
  }
  add_vi(body.mutable_output(), "r", kF32, Wrap::kNone);
  attr_g(m.node("SequenceMap", {"a", "b", "t"}, {"out"}, "map"), "body", body);
  return m;
}

TEST(ControlFlowSeq, SequenceMapOverTwoSequencesAndBroadcastTensor) {
  Session s = load(sequence_map_model());
  float a0[2] = {1, 2}, a1[3] = {3, 4, 5}, b0[2] = {10, 20}, b1[3] = {1, 1, 1}, t[1] = {2};
  TensorView as[2] = {{DataType::kFloat32, {2}, a0, sizeof a0},
                      {DataType::kFloat32, {3}, a1, sizeof a1}};
  TensorView bs[2] = {{DataType::kFloat32, {2}, b0, sizeof b0},
                      {DataType::kFloat32, {3}, b1, sizeof b1}};
  int64_t one[1] = {1};
  s.set_input_sequence(0, as);
  s.set_input_sequence(1, bs);
  s.set_input(2, t, sizeof t, one);
  s.run();
  ASSERT_EQ(s.output_sequence_length(0), 2u);
  EXPECT_EQ(floats(s.output_element(0, 0)), (std::vector<float>{22, 44}));
  EXPECT_EQ(floats(s.output_element(0, 1)), (std::vector<float>{8, 10, 12}));

  // Sequence inputs of different lengths.
  s.set_input_sequence(1, std::span<const TensorView>(bs, 1));
  expect_error([&] { s.run(); }, ErrorCode::kRuntime, {"map", "input 1 has 1", "same length"});
}

TEST(ControlFlowSeq, SequenceMapBodyErrorNamesIteration) {
  Session s = load(sequence_map_model(true));
  float a0[2] = {1, 2}, a1[3] = {3, 4, 5}, t[1] = {1};
  TensorView as[2] = {{DataType::kFloat32, {2}, a0, sizeof a0},
                      {DataType::kFloat32, {3}, a1, sizeof a1}};
  int64_t one[1] = {1};
  s.set_input_sequence(0, as);
  s.set_input_sequence(1, as);
  s.set_input(2, t, sizeof t, one);
  expect_error([&] { s.run(); }, ErrorCode::kShapeMismatch,
               {"map", "body 'body', iteration 1", "to_pair"});
}

TEST(ControlFlowSeq, ScanRefusesSequences) {
  ModelBuilder m(17);
  add_vi(m.graph().mutable_input(), "q", kF32, Wrap::kSequence);
  m.output("y");
  G body;
  body.set_name("step");
  add_vi(body.mutable_input(), "e", kF32, Wrap::kNone);
  body_node(body, "Identity", {"e"}, {"o"}, "id");
  add_vi(body.mutable_output(), "o", kF32, Wrap::kNone);
  auto& n = m.node("Scan", {"q"}, {"y"}, "scan");
  attr_i(n, "num_scan_inputs", 1);
  attr_g(n, "body", body);
  expect_error([&] { load(m); }, ErrorCode::kMalformedModel, {"scan", "sequence", "not a tensor"});
}

}  // namespace
}  // namespace rnpu
