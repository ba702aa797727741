// Sequence and optional values end to end on the cpu backend: import of
// sequence/optional types, the sequence ops, the C++ and C APIs that bind
// and read such values, and their error paths.
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "rnpu/rnpu.h"
#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"
#include "support/session_util.h"
#include "support/test_backend.h"

namespace rnpu {
namespace {

using test::attr_i;
using test::floats;
using test::load;
using test::ModelBuilder;

// ONNX TypeProto of a tensor (elem, optional dims), wrapped as asked.
enum class Wrap { kNone, kSequence, kOptional, kOptionalSequence };
void set_type(::onnx::TypeProto* t, int elem, Wrap w, const std::vector<int64_t>* dims = nullptr) {
  if (w == Wrap::kOptional || w == Wrap::kOptionalSequence)
    t = t->mutable_optional_type()->mutable_elem_type();
  if (w == Wrap::kSequence || w == Wrap::kOptionalSequence)
    t = t->mutable_sequence_type()->mutable_elem_type();
  auto* tt = t->mutable_tensor_type();
  tt->set_elem_type(elem);
  if (dims)
    for (int64_t d : *dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}
void input(ModelBuilder& m, const std::string& name, Wrap w, std::vector<int64_t> dims = {2}) {
  auto* vi = m.graph().add_input();
  vi->set_name(name);
  set_type(vi->mutable_type(), 1, w, &dims);
}
void output(ModelBuilder& m, const std::string& name, Wrap w, int elem = 1) {
  auto* vi = m.graph().add_output();
  vi->set_name(name);
  set_type(vi->mutable_type(), elem, w);
}

// x [6] -> SplitToSequence(split [1,2,3]) -> seq, its length, element -1,
// and the first two elements concatenated (after erasing the last).
ModelBuilder split_model() {
  ModelBuilder m(17);
  m.input("x", {6});
  m.init_i64("split", {3}, {1, 2, 3});
  m.init_i64("minus1", {}, {-1});
  m.node("SplitToSequence", {"x", "split"}, {"seq"}, "split");
  m.node("SequenceLength", {"seq"}, {"len"}, "len");
  m.node("SequenceAt", {"seq", "minus1"}, {"last"}, "at");
  m.node("SequenceErase", {"seq"}, {"short"}, "erase");
  auto& c = m.node("ConcatFromSequence", {"short"}, {"cat"}, "cat");
  attr_i(c, "axis", 0);
  output(m, "seq", Wrap::kSequence);
  m.output("len", 7).output("last").output("cat");
  return m;
}

TEST(Sequence, SplitLengthAtEraseConcat) {
  Session s = load(split_model());
  ASSERT_EQ(s.outputs()[0].kind, ValueKind::kSequence);
  EXPECT_EQ(s.outputs()[1].kind, ValueKind::kTensor);
  float x[6] = {0, 1, 2, 3, 4, 5};
  int64_t shape[1] = {6};
  s.set_input(0, x, sizeof x, shape);
  s.run();
  ASSERT_EQ(s.output_sequence_length(0), 3u);
  EXPECT_EQ(s.output_element(0, 1).shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(floats(s.output_element(0, 1)), (std::vector<float>{1, 2}));
  EXPECT_EQ(floats(s.output_element(0, 2)), (std::vector<float>{3, 4, 5}));
  EXPECT_EQ(*static_cast<const int64_t*>(s.output(1).data), 3);
  EXPECT_EQ(floats(s.output(2)), (std::vector<float>{3, 4, 5}));
  EXPECT_EQ(floats(s.output(3)), (std::vector<float>{0, 1, 2}));
  EXPECT_TRUE(s.output_has_element(0));
  // A sequence is not a tensor, and an element past the end is an error.
  EXPECT_THROW(s.output(0), Error);
  try {
    s.output_element(0, 3);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("out of range"), std::string::npos) << e.what();
  }
  EXPECT_THROW(s.output_sequence_length(1), Error);   // a tensor output
  EXPECT_THROW(s.set_output(0, x, sizeof x), Error);  // sequences cannot be bound
}

TEST(Sequence, ReferenceKernelsAgree) {
  Options o = test::cpu_only();
  o.reference_kernels = true;
  Session s = load(split_model(), o);
  float x[6] = {0, 1, 2, 3, 4, 5};
  int64_t shape[1] = {6};
  s.set_input(0, x, sizeof x, shape);
  s.run();
  EXPECT_EQ(s.output_sequence_length(0), 3u);
  EXPECT_EQ(floats(s.output(3)), (std::vector<float>{0, 1, 2}));
}

// seq input -> SequenceInsert(t at position p) -> SequenceAt(q) and
// ConcatFromSequence(new_axis) of the result.
ModelBuilder insert_model() {
  ModelBuilder m(17);
  input(m, "seq", Wrap::kSequence, {2});
  m.input("t", {2});
  m.input("p", {}, 7);
  m.input("q", {}, 7);
  m.node("SequenceInsert", {"seq", "t", "p"}, {"ins"}, "insert");
  m.node("SequenceAt", {"ins", "q"}, {"at"}, "at");
  auto& c = m.node("ConcatFromSequence", {"ins"}, {"stack"}, "stack");
  attr_i(c, "axis", -1);
  attr_i(c, "new_axis", 1);
  output(m, "ins", Wrap::kSequence);
  m.output("at").output("stack");
  return m;
}

TEST(Sequence, InputSequenceInsertNegativePositions) {
  Session s = load(insert_model());
  ASSERT_EQ(s.inputs()[0].kind, ValueKind::kSequence);
  float a[2] = {1, 2}, b[2] = {3, 4}, t[2] = {9, 9};
  int64_t two[1] = {2};
  TensorView elems[2] = {{DataType::kFloat32, {2}, a, sizeof a},
                         {DataType::kFloat32, {2}, b, sizeof b}};
  s.set_input_sequence(0, elems);
  s.set_input(1, t, sizeof t, two);
  int64_t p = -1, q = -3;  // insert before the last; read the first
  s.set_input(2, &p, sizeof p, {});
  s.set_input(3, &q, sizeof q, {});
  s.run();
  ASSERT_EQ(s.output_sequence_length(0), 3u);
  EXPECT_EQ(floats(s.output_element(0, 1)), (std::vector<float>{9, 9}));
  EXPECT_EQ(floats(s.output(1)), (std::vector<float>{1, 2}));
  EXPECT_EQ(s.output(2).shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(floats(s.output(2)), (std::vector<float>{1, 9, 3, 2, 9, 4}));

  q = 3;  // past the end of three elements
  try {
    s.run();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kRuntime);
    EXPECT_EQ(e.node(), "at");
    EXPECT_NE(e.reason().find("position 3 is out of range for a sequence of 3"), std::string::npos)
        << e.what();
  }
  q = 0;
  p = 3;  // insert positions run to n = 2
  EXPECT_THROW(s.run(), Error);
}

TEST(Sequence, BindingErrors) {
  Session s = load(insert_model());
  float a[2] = {1, 2};
  int64_t two[1] = {2};
  // A sequence input takes set_input_sequence, a tensor input set_input.
  EXPECT_THROW(s.set_input(0, a, sizeof a, two), Error);
  TensorView ok[1] = {{DataType::kFloat32, {2}, a, sizeof a}};
  EXPECT_THROW(s.set_input_sequence(1, ok), Error);
  EXPECT_THROW(s.set_input_absent(1), Error);  // not an optional
  TensorView wrong_type[1] = {{DataType::kInt32, {2}, a, sizeof a}};
  EXPECT_THROW(s.set_input_sequence(0, wrong_type), Error);
  TensorView wrong_shape[1] = {{DataType::kFloat32, {3}, a, sizeof a}};
  EXPECT_THROW(s.set_input_sequence(0, wrong_shape), Error);
  TensorView short_buffer[1] = {{DataType::kFloat32, {2}, a, 4}};
  EXPECT_THROW(s.set_input_sequence(0, short_buffer), Error);
  // An empty sequence is a valid input: inserting at 0 gives one element.
  Session e = load(insert_model());
  e.set_input_sequence(0, {});
  int64_t zero = 0;
  e.set_input(1, a, sizeof a, two);
  e.set_input(2, &zero, sizeof zero, {});
  e.set_input(3, &zero, sizeof zero, {});
  e.run();
  EXPECT_EQ(e.output_sequence_length(0), 1u);
}

// optional(tensor) input -> OptionalHasElement, and Identity of it.
ModelBuilder optional_model() {
  ModelBuilder m(16);
  input(m, "o", Wrap::kOptional);
  m.node("OptionalHasElement", {"o"}, {"has"}, "has");
  m.node("Identity", {"o"}, {"same"}, "same");
  m.output("has", 9);
  output(m, "same", Wrap::kOptional);
  return m;
}

TEST(Optional, PresentAndAbsent) {
  Session s = load(optional_model());
  ASSERT_EQ(s.inputs()[0].kind, ValueKind::kOptionalTensor);
  float a[2] = {5, 6};
  int64_t two[1] = {2};
  s.set_input(0, a, sizeof a, two);
  s.run();
  EXPECT_EQ(*static_cast<const uint8_t*>(s.output(0).data), 1);
  EXPECT_TRUE(s.output_has_element(1));
  EXPECT_EQ(floats(s.output(1)), (std::vector<float>{5, 6}));

  s.set_input_absent(0);
  s.run();
  EXPECT_EQ(*static_cast<const uint8_t*>(s.output(0).data), 0);
  EXPECT_FALSE(s.output_has_element(1));
  EXPECT_THROW(s.output(1), Error);
}

TEST(Optional, GetElementOfAbsentIsAnError) {
  ModelBuilder m(18);
  m.input("x", {2});
  auto& o = m.node("Optional", {}, {"none"}, "none");
  auto* a = o.add_attribute();
  a->set_name("type");
  a->set_type(::onnx::AttributeProto::TYPE_PROTO);
  set_type(a->mutable_tp(), 1, Wrap::kSequence);
  m.node("OptionalHasElement", {"none"}, {"has"}, "has");
  m.node("OptionalGetElement", {"none"}, {"seq"}, "get");
  m.node("SequenceLength", {"seq"}, {"len"}, "len");
  m.node("Identity", {"x"}, {"y"}, "id");
  m.output("has", 9).output("len", 7).output("y");
  Session s = load(m);
  float x[2] = {1, 2};
  int64_t two[1] = {2};
  s.set_input(0, x, sizeof x, two);
  try {
    s.run();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.node(), "get");
    EXPECT_NE(e.reason().find("no element"), std::string::npos) << e.what();
  }
}

TEST(Sequence, ModelErrors) {
  {  // SequenceAt of a tensor
    ModelBuilder m(17);
    m.input("x", {2});
    m.init_i64("p", {}, {0});
    m.node("SequenceAt", {"x", "p"}, {"y"}, "at");
    m.output("y");
    try {
      load(m);
      FAIL();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kMalformedModel);
      EXPECT_EQ(e.node(), "at");
    }
  }
  {  // a tensor op reading a sequence
    ModelBuilder m(17);
    m.input("x", {2});
    m.node("SequenceConstruct", {"x", "x"}, {"s"}, "make");
    m.node("Relu", {"s"}, {"y"}, "relu");
    m.output("y");
    try {
      load(m);
      FAIL();
    } catch (const Error& e) {
      EXPECT_EQ(e.node(), "relu");
      EXPECT_NE(e.reason().find("is a sequence"), std::string::npos) << e.what();
    }
  }
  {  // ConcatFromSequence of an empty sequence
    ModelBuilder m(17);
    m.input("x", {2});
    m.node("SequenceEmpty", {}, {"s"}, "empty");
    auto& c = m.node("ConcatFromSequence", {"s"}, {"y"}, "cat");
    attr_i(c, "axis", 0);
    m.node("Identity", {"x"}, {"z"}, "id");
    m.output("y").output("z");
    Session s = load(m);
    float x[2] = {1, 2};
    int64_t two[1] = {2};
    s.set_input(0, x, sizeof x, two);
    EXPECT_THROW(s.run(), Error);
  }
}

TEST(Sequence, OnlyBackendsThatRunSequencesTakeThem) {
  test::register_test_backend(std::make_unique<test::TestBackend>("testnoseq"), 6);
  Options o;
  o.backends = {"testnoseq"};
  o.allow_fallback = false;
  try {
    load(split_model(), o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupportedOp);
    EXPECT_NE(e.reason().find("sequence and optional values unsupported"), std::string::npos)
        << e.what();
  }
}

// A sequence made in one cpu partition and read in another, with a
// partition of another backend between them: the runtime's slot carries it.
TEST(Sequence, CrossesPartitionBoundaries) {
  test::register_test_backend(
      std::make_unique<test::TestBackend>("testrelu", std::set<std::string>{"Relu"}), 7);
  ModelBuilder m(17);
  m.input("x", {4});
  m.init_i64("two", {}, {2});
  m.init_i64("zero", {}, {0});
  m.node("SplitToSequence", {"x", "two"}, {"seq"}, "split");
  m.node("SequenceAt", {"seq", "zero"}, {"first"}, "at");
  m.node("Relu", {"first"}, {"r"}, "relu");
  m.node("SequenceInsert", {"seq", "r"}, {"out"}, "insert");
  output(m, "out", Wrap::kSequence);
  Options o;
  o.backends = {"testrelu", "cpu"};
  o.allow_fallback = false;
  Session s = load(m, o);
  ASSERT_EQ(s.partition_report().size(), 4u);
  EXPECT_EQ(s.partition_report()[2].backend, "testrelu");
  float x[4] = {-1, 2, 3, 4};
  int64_t four[1] = {4};
  s.set_input(0, x, sizeof x, four);
  s.run();
  ASSERT_EQ(s.output_sequence_length(0), 3u);
  EXPECT_EQ(floats(s.output_element(0, 1)), (std::vector<float>{3, 4}));
  EXPECT_EQ(floats(s.output_element(0, 2)), (std::vector<float>{0, 2}));
}

TEST(Sequence, MapTypesAreRefused) {
  ModelBuilder m(17);
  auto* vi = m.graph().add_input();
  vi->set_name("m");
  auto* mt = vi->mutable_type()->mutable_map_type();
  mt->set_key_type(7);
  set_type(mt->mutable_value_type(), 1, Wrap::kNone);
  m.node("Identity", {"m"}, {"y"}, "id");
  m.output("y");
  try {
    load(m);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupportedOp);
    EXPECT_NE(e.reason().find("maps"), std::string::npos) << e.what();
  }
}

// The C API (1.1): kinds, binding a sequence and an absent optional,
// reading elements, and the error statuses.
TEST(SequenceCApi, BindAndRead) {
  std::string b = insert_model().bytes();
  rnpu_options* opts = nullptr;
  ASSERT_EQ(rnpu_options_create(&opts), RNPU_OK);
  ASSERT_EQ(rnpu_options_set_backends(opts, "cpu"), RNPU_OK);
  rnpu_session* s = nullptr;
  ASSERT_EQ(rnpu_session_create_from_memory(b.data(), b.size(), opts, &s), RNPU_OK);
  rnpu_options_destroy(opts);
  rnpu_value_kind k;
  ASSERT_EQ(rnpu_session_input_kind(s, 0, &k), RNPU_OK);
  EXPECT_EQ(k, RNPU_VALUE_SEQUENCE);
  ASSERT_EQ(rnpu_session_output_kind(s, 1, &k), RNPU_OK);
  EXPECT_EQ(k, RNPU_VALUE_TENSOR);
  EXPECT_EQ(rnpu_session_output_kind(s, 9, &k), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_input_kind(s, 0, nullptr), RNPU_ERR_INVALID_ARGUMENT);

  float a[2] = {1, 2}, t[2] = {7, 8};
  int64_t two[1] = {2};
  rnpu_input_desc e0{};
  e0.struct_size = sizeof e0;
  e0.data = a;
  e0.size = sizeof a;
  e0.dims = two;
  e0.rank = 1;
  const rnpu_input_desc* elems[1] = {&e0};
  ASSERT_EQ(rnpu_session_set_input_sequence(s, 0, elems, 1), RNPU_OK);
  EXPECT_EQ(rnpu_session_set_input_sequence(s, 0, nullptr, 1), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_set_input_sequence(s, 1, elems, 1), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_set_input_absent(s, 0), RNPU_ERR_INVALID_ARGUMENT);
  ASSERT_EQ(rnpu_session_set_input(s, 1, t, sizeof t, two, 1), RNPU_OK);
  int64_t p = 0, q = 1;
  ASSERT_EQ(rnpu_session_set_input(s, 2, &p, sizeof p, nullptr, 0), RNPU_OK);
  ASSERT_EQ(rnpu_session_set_input(s, 3, &q, sizeof q, nullptr, 0), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(s), RNPU_OK);

  size_t n = 0;
  ASSERT_EQ(rnpu_session_output_count_elements(s, 0, &n), RNPU_OK);
  EXPECT_EQ(n, 2u);
  int present = -1;
  ASSERT_EQ(rnpu_session_output_has_element(s, 0, &present), RNPU_OK);
  EXPECT_EQ(present, 1);
  rnpu_tensor_info info{};
  info.struct_size = sizeof info;
  const void* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(rnpu_session_get_output_element(s, 0, 0, &info, &data, &size), RNPU_OK);
  EXPECT_EQ(info.rank, 1u);
  EXPECT_EQ(info.dims[0], 2);
  EXPECT_EQ(info.dtype, RNPU_DTYPE_FLOAT32);
  EXPECT_STREQ(info.name, "ins");
  ASSERT_EQ(size, 2 * sizeof(float));
  EXPECT_EQ(static_cast<const float*>(data)[0], 7.f);
  EXPECT_EQ(rnpu_session_get_output_element(s, 0, 2, &info, &data, &size),
            RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_get_output_element(s, 1, 0, nullptr, &data, &size),
            RNPU_ERR_INVALID_ARGUMENT);  // a tensor output
  EXPECT_EQ(rnpu_session_get_output(s, 0, nullptr, &data, &size), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_output_count_elements(s, 1, &n), RNPU_ERR_INVALID_ARGUMENT);
  rnpu_error_info err{};
  err.struct_size = sizeof err;
  EXPECT_EQ(rnpu_session_last_error(s, &err), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(err.message).find("not a sequence"), std::string::npos) << err.message;

  // An element descriptor setting a field this library does not know.
  struct Newer {
    rnpu_input_desc d;
    uint64_t extra;
  } nd{};
  nd.d = e0;
  nd.d.struct_size = sizeof nd;
  nd.extra = 1;
  const rnpu_input_desc* newer[1] = {&nd.d};
  EXPECT_EQ(rnpu_session_set_input_sequence(s, 0, newer, 1), RNPU_ERR_UNSUPPORTED);
  rnpu_session_destroy(s);
}

TEST(SequenceCApi, AbsentOptional) {
  std::string b = optional_model().bytes();
  rnpu_options* opts = nullptr;
  ASSERT_EQ(rnpu_options_create(&opts), RNPU_OK);
  ASSERT_EQ(rnpu_options_set_backends(opts, "cpu"), RNPU_OK);
  rnpu_session* s = nullptr;
  ASSERT_EQ(rnpu_session_create_from_memory(b.data(), b.size(), opts, &s), RNPU_OK);
  rnpu_options_destroy(opts);
  rnpu_value_kind k;
  ASSERT_EQ(rnpu_session_output_kind(s, 1, &k), RNPU_OK);
  EXPECT_EQ(k, RNPU_VALUE_OPTIONAL_TENSOR);
  ASSERT_EQ(rnpu_session_set_input_absent(s, 0), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(s), RNPU_OK);
  int present = -1;
  ASSERT_EQ(rnpu_session_output_has_element(s, 1, &present), RNPU_OK);
  EXPECT_EQ(present, 0);
  const void* data = nullptr;
  ASSERT_EQ(rnpu_session_get_output(s, 0, nullptr, &data, nullptr), RNPU_OK);
  EXPECT_EQ(*static_cast<const uint8_t*>(data), 0);
  EXPECT_EQ(rnpu_session_get_output(s, 1, nullptr, &data, nullptr), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_output_has_element(s, 1, nullptr), RNPU_ERR_INVALID_ARGUMENT);
  rnpu_session_destroy(s);
}

}  // namespace
}  // namespace rnpu
