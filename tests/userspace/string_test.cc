// String tensors end to end on the cpu backend: the string ops, string
// constants, the C++ and C APIs that bind and read strings, and the error
// paths (bad regex, unparsable Cast, invalid UTF-8 where case matters).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "onnx/onnx_pb.h"
#include "rnpu/rnpu.h"
#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"
#include "support/session_util.h"

namespace rnpu {
namespace {

using test::attr_i;
using test::attr_s;
using test::attr_strings;
using test::expect_error;
using test::load;
using test::ModelBuilder;

constexpr int kStr = 8, kBool = 9, kF32 = 1, kI64 = 7;

std::vector<std::string> run_strings(Session& s, size_t out, std::vector<int64_t>* shape) {
  s.run();
  return s.output_strings(out, shape);
}

TEST(Strings, ConcatBroadcastsAndSplitPads) {
  ModelBuilder m(20);
  m.input("x", {2}, kStr).input("y", {}, kStr);
  m.node("StringConcat", {"x", "y"}, {"c"}, "concat");
  auto& sp = m.node("StringSplit", {"c"}, {"parts", "n"}, "split");
  attr_s(sp, "delimiter", "-");
  m.output("c", kStr).output("parts", kStr).output("n", kI64);
  Session s = load(m);
  std::vector<std::string> x = {"a-b", "ü"}, y = {"-z"};
  std::vector<int64_t> xs = {2}, ys = {};
  s.set_input_strings(0, x, xs);
  s.set_input_strings(1, y, ys);
  std::vector<int64_t> shape;
  EXPECT_EQ(run_strings(s, 0, &shape), (std::vector<std::string>{"a-b-z", "ü-z"}));
  EXPECT_EQ(shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(s.output_strings(1, &shape), (std::vector<std::string>{"a", "b", "z", "ü", "z", ""}));
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 3}));
  const int64_t* n = static_cast<const int64_t*>(s.output(2).data);
  EXPECT_EQ(n[0], 3);
  EXPECT_EQ(n[1], 2);
}

TEST(Strings, SplitOnWhitespaceWithMaxsplit) {
  ModelBuilder m(20);
  m.input("x", {2}, kStr);
  auto& sp = m.node("StringSplit", {"x"}, {"parts", "n"}, "split");
  attr_i(sp, "maxsplit", 1);
  m.output("parts", kStr).output("n", kI64);
  Session s = load(m);
  std::vector<std::string> x = {"  a  b c ", ""};
  s.set_input_strings(0, x, std::vector<int64_t>{2});
  std::vector<int64_t> shape;
  EXPECT_EQ(run_strings(s, 0, &shape), (std::vector<std::string>{"a", "b c ", "", ""}));
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 2}));
}

TEST(Strings, NormalizerStopwordsAndUnicodeCase) {
  ModelBuilder m(17);
  m.input("x", {4}, kStr);
  auto& n = m.node("StringNormalizer", {"x"}, {"y"}, "norm");
  attr_s(n, "case_change_action", "UPPER");
  attr_strings(n, "stopwords", {"the"});
  m.output("y", kStr);
  Session s = load(m);
  std::vector<std::string> x = {"The", "straße", "éa", "the"};
  s.set_input_strings(0, x, std::vector<int64_t>{4});
  std::vector<int64_t> shape;
  EXPECT_EQ(run_strings(s, 0, &shape), (std::vector<std::string>{"STRAßE", "ÉA"}));
  EXPECT_EQ(shape, (std::vector<int64_t>{2}));
  // Everything removed: one empty string.
  std::vector<std::string> all = {"THE", "the", "tHe", "The"};
  s.set_input_strings(0, all, std::vector<int64_t>{4});
  EXPECT_EQ(run_strings(s, 0, &shape), (std::vector<std::string>{""}));
  // Case changes need characters: invalid UTF-8 is an error naming the node.
  std::vector<std::string> bad = {"ok", "\xff\xfe", "a", "b"};
  s.set_input_strings(0, bad, std::vector<int64_t>{4});
  expect_error([&] { s.run(); }, ErrorCode::kRuntime, {"norm", "not valid UTF-8"});
}

TEST(Strings, NormalizerRefusesOtherLocales) {
  ModelBuilder m(17);
  m.input("x", {2}, kStr);
  auto& n = m.node("StringNormalizer", {"x"}, {"y"}, "norm");
  attr_s(n, "case_change_action", "LOWER");
  attr_s(n, "locale", "tr_TR");
  m.output("y", kStr);
  expect_error([&] { load(m); }, ErrorCode::kUnsupportedOp, {"norm", "locale 'tr_TR'"});
}

TEST(Strings, RegexFullMatchAndBadPattern) {
  ModelBuilder m(20);
  m.input("x", {3}, kStr);
  auto& r = m.node("RegexFullMatch", {"x"}, {"y"}, "re");
  attr_s(r, "pattern", "[a-z]+@example\\.com");
  m.output("y", kBool);
  Session s = load(m);
  std::vector<std::string> x = {"bob@example.com", "bob@example.com.evil", "x"};
  s.set_input_strings(0, x, std::vector<int64_t>{3});
  s.run();
  const uint8_t* y = static_cast<const uint8_t*>(s.output(0).data);
  EXPECT_EQ(y[0], 1);
  EXPECT_EQ(y[1], 0);
  EXPECT_EQ(y[2], 0);

  ModelBuilder bad(20);
  bad.input("x", {3}, kStr);
  attr_s(bad.node("RegexFullMatch", {"x"}, {"y"}, "badre"), "pattern", "(unclosed");
  bad.output("y", kBool);
  expect_error([&] { load(bad); }, ErrorCode::kUnsupportedOp, {"badre", "not a valid RE2"});
}

TEST(Strings, EqualAgainstAStringConstant) {
  ModelBuilder m(19);
  m.input("x", {3}, kStr);
  auto* c = m.graph().add_initializer();
  c->set_name("k");
  c->set_data_type(kStr);
  c->add_string_data("b");
  m.node("Equal", {"x", "k"}, {"y"}, "eq");
  m.output("y", kBool);
  Session s = load(m);
  std::vector<std::string> x = {"a", "b", "bb"};
  s.set_input_strings(0, x, std::vector<int64_t>{3});
  s.run();
  const uint8_t* y = static_cast<const uint8_t*>(s.output(0).data);
  EXPECT_EQ(y[0] + 2 * y[1] + 4 * y[2], 2);
}

TEST(Strings, CastBothWaysAndUnparsable) {
  ModelBuilder m(19);
  m.input("x", {5}, kStr);
  attr_i(m.node("Cast", {"x"}, {"f"}, "tofloat"), "to", kF32);
  attr_i(m.node("Cast", {"f"}, {"s"}, "tostring"), "to", kStr);
  m.output("f", kF32).output("s", kStr);
  Session s = load(m);
  std::vector<std::string> x = {"0.1", "-INF", "nan", "1e3", "+2.5"};
  s.set_input_strings(0, x, std::vector<int64_t>{5});
  s.run();
  const float* f = static_cast<const float*>(s.output(0).data);
  EXPECT_FLOAT_EQ(f[0], 0.1f);
  EXPECT_TRUE(std::isinf(f[1]) && f[1] < 0);
  EXPECT_TRUE(std::isnan(f[2]));
  EXPECT_EQ(f[3], 1000.f);
  EXPECT_EQ(s.output_strings(1), (std::vector<std::string>{"0.1", "-INF", "NaN", "1000", "2.5"}));
  std::vector<std::string> bad = {"1", "2", "three", "4", "5"};
  s.set_input_strings(0, bad, std::vector<int64_t>{5});
  expect_error([&] { s.run(); }, ErrorCode::kRuntime, {"tofloat", "'three'"});
}

TEST(Strings, LabelEncoderStringsToInts) {
  ModelBuilder m(17);
  auto* op = m.proto().add_opset_import();
  op->set_domain("ai.onnx.ml");
  op->set_version(2);
  m.input("x", {3}, kStr);
  auto& n = m.node("LabelEncoder", {"x"}, {"y"}, "le");
  n.set_domain("ai.onnx.ml");
  attr_strings(n, "keys_strings", {"a", "b"});
  auto* v = n.add_attribute();
  v->set_name("values_int64s");
  v->set_type(::onnx::AttributeProto::INTS);
  v->add_ints(10);
  v->add_ints(20);
  attr_i(n, "default_int64", 99);
  m.output("y", kI64);
  Session s = load(m);
  std::vector<std::string> x = {"b", "zz", "a"};
  s.set_input_strings(0, x, std::vector<int64_t>{3});
  s.run();
  const int64_t* y = static_cast<const int64_t*>(s.output(0).data);
  EXPECT_EQ(y[0], 20);
  EXPECT_EQ(y[1], 99);
  EXPECT_EQ(y[2], 10);
}

TEST(Strings, ApiMisuse) {
  ModelBuilder m(17);
  m.input("x", {2}, kStr);
  m.node("Identity", {"x"}, {"y"}, "id");
  m.output("y", kStr);
  Session s = load(m);
  float f[2] = {};
  expect_error([&] { s.set_input(0, f, sizeof f, std::vector<int64_t>{2}); },
               ErrorCode::kInvalidArgument, {"string tensor", "set_input_strings"});
  std::vector<std::string> one = {"a"};
  expect_error([&] { s.set_input_strings(0, one, std::vector<int64_t>{2}); },
               ErrorCode::kShapeMismatch, {"1 strings given"});
  expect_error([&] { s.set_output(0, f, sizeof f); }, ErrorCode::kInvalidArgument,
               {"output_strings"});
  std::vector<std::string> two = {"a", "b"};
  s.set_input_strings(0, two, std::vector<int64_t>{2});
  s.run();
  expect_error([&] { s.output(0); }, ErrorCode::kInvalidArgument, {"output_strings"});
  EXPECT_EQ(s.output_strings(0), two);
}

TEST(Strings, CApiRoundTrip) {
  ModelBuilder m(20);
  m.input("x", {2}, kStr).input("y", {2}, kStr);
  m.node("StringConcat", {"x", "y"}, {"z"}, "concat");
  m.output("z", kStr);
  std::string bytes = m.bytes();
  rnpu_options* o = nullptr;
  ASSERT_EQ(rnpu_options_create(&o), RNPU_OK);
  ASSERT_EQ(rnpu_options_set_backends(o, "cpu"), RNPU_OK);
  rnpu_session* s = nullptr;
  ASSERT_EQ(rnpu_session_create_from_memory(bytes.data(), bytes.size(), o, &s), RNPU_OK);
  rnpu_options_destroy(o);
  const char* x[] = {"ab", "c"};
  const char y[] = {'\0', 'q'};
  const char* yp[] = {y, y + 1};
  size_t ylen[] = {1, 1};  // an embedded NUL survives
  int64_t shape[] = {2};
  ASSERT_EQ(rnpu_session_set_input_strings(s, 0, x, nullptr, 2, shape, 1), RNPU_OK);
  ASSERT_EQ(rnpu_session_set_input_strings(s, 1, yp, ylen, 2, shape, 1), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(s), RNPU_OK);
  rnpu_tensor_info info;
  std::memset(&info, 0, sizeof info);
  info.struct_size = sizeof info;
  size_t count = 0;
  ASSERT_EQ(rnpu_session_get_output_strings(s, 0, &info, &count), RNPU_OK);
  EXPECT_EQ(count, 2u);
  EXPECT_EQ(int(info.dtype), kStr);
  const char* d = nullptr;
  size_t len = 0;
  ASSERT_EQ(rnpu_session_get_output_string(s, 0, 0, &d, &len), RNPU_OK);
  EXPECT_EQ(std::string(d, len), std::string("ab\0", 3));
  ASSERT_EQ(rnpu_session_get_output_string(s, 0, 1, &d, &len), RNPU_OK);
  EXPECT_EQ(std::string(d, len), "cq");
  EXPECT_EQ(rnpu_session_get_output_string(s, 0, 2, &d, &len), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_set_input_strings(s, 0, x, nullptr, 1, shape, 1), RNPU_ERR_SHAPE_MISMATCH);
  const void* data = nullptr;
  size_t size = 0;
  EXPECT_NE(rnpu_session_get_output(s, 0, &info, &data, &size), RNPU_OK);
  rnpu_session_destroy(s);
}

}  // namespace
}  // namespace rnpu
