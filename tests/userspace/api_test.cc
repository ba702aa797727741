// Session behaviour through the C++ and C APIs on the "testref" backend:
// caller-owned buffers, dynamic shapes, data-dependent outputs, async runs,
// profiles, partition reports and every error path.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>

#include "rnpu/rnpu.h"
#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"
#include "support/test_backend.h"

namespace rnpu {
namespace {

using test::ModelBuilder;

class Api : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    backend_ = test::register_test_backend(std::make_unique<test::TestBackend>("testref"), 5);
  }
  Options opts() {
    Options o;
    o.backends = {"testref"};
    o.allow_fallback = false;
    o.profiling = true;
    return o;
  }
  static std::string add_relu(std::vector<int64_t> dims = {2, 3}) {
    ModelBuilder m;
    m.input("x", dims).init("k", {}, {10.f}).output("y");
    m.node("Add", {"x", "k"}, {"s"}, "add");
    m.node("Relu", {"s"}, {"y"}, "relu");
    return m.bytes();
  }
  static test::TestBackend* backend_;
};
test::TestBackend* Api::backend_ = nullptr;

TEST_F(Api, RunsWithSessionOwnedOutputs) {
  std::string b = add_relu();
  Session s = Session::load_memory(b.data(), b.size(), opts());
  ASSERT_EQ(s.inputs().size(), 1u);
  EXPECT_EQ(s.inputs()[0].shape, (std::vector<int64_t>{2, 3}));
  float x[6] = {-20, -5, 0, 1, 2, 3};
  int64_t shape[2] = {2, 3};
  s.set_input(0, x, sizeof x, shape);
  s.run();
  TensorView y = s.output(0);
  ASSERT_EQ(y.shape, (std::vector<int64_t>{2, 3}));
  const float* o = static_cast<const float*>(y.data);
  EXPECT_EQ(o[0], 0.f);
  EXPECT_EQ(o[1], 5.f);
  EXPECT_EQ(o[5], 13.f);
  EXPECT_GT(s.arena_bytes(), 0u);  // the intermediate 's'
  auto prof = s.profile();
  ASSERT_EQ(prof.size(), 2u);
  EXPECT_EQ(prof[0].node, "add");
  EXPECT_EQ(prof[0].backend, "testref");
  EXPECT_EQ(prof[0].cycles, 7u);
  ASSERT_EQ(s.partition_report().size(), 2u);
  EXPECT_EQ(s.partition_report()[1].backend, "testref");
}

TEST_F(Api, CallerOwnedOutputIsWrittenInPlace) {
  std::string b = add_relu();
  Session s = Session::load_memory(b.data(), b.size(), opts());
  float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {};
  int64_t shape[2] = {2, 3};
  s.set_input(0, x, sizeof x, shape);
  s.set_output(0, y, sizeof y);
  s.run();
  EXPECT_EQ(y[0], 11.f);
  EXPECT_EQ(s.output(0).data, static_cast<const void*>(y));
  // Repeated runs reuse the plan: changing input data changes results.
  x[0] = -100;
  s.run();
  EXPECT_EQ(y[0], 0.f);
  float small[2];
  EXPECT_THROW(s.set_output(0, small, sizeof small), Error);
}

TEST_F(Api, DynamicBatchReplansPerShape) {
  std::string b = add_relu({-1, 3});
  Session s = Session::load_memory(b.data(), b.size(), opts());
  EXPECT_EQ(s.inputs()[0].shape[0], -1);
  EXPECT_EQ(s.inputs()[0].dim_names[0], "N");
  for (int64_t n : {1, 4, 2}) {
    std::vector<float> x(size_t(n * 3), 1.f);
    int64_t shape[2] = {n, 3};
    s.set_input(0, x.data(), x.size() * 4, shape);
    s.run();
    TensorView y = s.output(0);
    EXPECT_EQ(y.shape, (std::vector<int64_t>{n, 3}));
    EXPECT_EQ(static_cast<const float*>(y.data)[size_t(n * 3 - 1)], 11.f);
  }
}

TEST_F(Api, DataDependentOutputShape) {
  ModelBuilder m;
  m.input("x", {6}).output("y");
  m.node("PositiveOnly", {"x"}, {"p"}, "pos");
  m.node("Neg", {"p"}, {"y"}, "neg");
  std::string b = m.bytes();
  Session s = Session::load_memory(b.data(), b.size(), opts());
  float x[6] = {1, -1, 2, -2, 3, -3};
  int64_t shape[1] = {6};
  s.set_input(0, x, sizeof x, shape);
  s.run();
  TensorView y = s.output(0);
  ASSERT_EQ(y.shape, std::vector<int64_t>{3});
  EXPECT_EQ(static_cast<const float*>(y.data)[2], -3.f);
  x[0] = -1;  // fewer positives on the next run
  s.run();
  EXPECT_EQ(s.output(0).shape, std::vector<int64_t>{2});
}

TEST_F(Api, AsyncRunsCompleteAndPropagateErrors) {
  std::string b = add_relu();
  Session s = Session::load_memory(b.data(), b.size(), opts());
  float x[6] = {1, 2, 3, 4, 5, 6};
  int64_t shape[2] = {2, 3};
  s.set_input(0, x, sizeof x, shape);
  auto f = s.run_async();
  f.get();
  EXPECT_EQ(static_cast<const float*>(s.output(0).data)[5], 16.f);

  std::string b2 = add_relu();
  Session unset = Session::load_memory(b2.data(), b2.size(), opts());
  auto f2 = unset.run_async();
  try {
    f2.get();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("'x' is not set"), std::string::npos);
  }
}

TEST_F(Api, InputErrorsAreTypedAndNamed) {
  std::string b = add_relu();
  Session s = Session::load_memory(b.data(), b.size(), opts());
  float x[6] = {};
  int64_t bad_shape[2] = {3, 2};
  try {
    s.set_input(0, x, sizeof x, bad_shape);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kShapeMismatch);
    EXPECT_NE(std::string(e.what()).find("input 'x'"), std::string::npos) << e.what();
  }
  int64_t shape[2] = {2, 3};
  EXPECT_THROW(s.set_input(0, x, 4, shape), Error);  // size mismatch
  EXPECT_THROW(s.set_input(1, x, sizeof x, shape), Error);
  EXPECT_THROW(s.input_index("nope"), Error);
  EXPECT_EQ(s.input_index("x"), 0u);
}

TEST_F(Api, UnsupportedOpWithoutFallbackNamesNode) {
  ModelBuilder m;
  m.input("x", {2}).output("y");
  m.node("Softmax", {"x"}, {"y"}, "sm");
  std::string b = m.bytes();
  try {
    Session::load_memory(b.data(), b.size(), opts());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupportedOp);
    EXPECT_EQ(e.node(), "sm");
    EXPECT_EQ(e.op(), "Softmax");
  }
}

TEST_F(Api, UnknownBackendIsInvalidArgument) {
  std::string b = add_relu();
  Options o;
  o.backends = {"no-such-backend"};
  try {
    Session::load_memory(b.data(), b.size(), o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  }
}

TEST_F(Api, UnavailableBackendWithoutFallback) {
  test::register_test_backend(
      std::make_unique<test::TestBackend>("offline", std::set<std::string>{}, -1, false), 6);
  std::string b = add_relu();
  Options o;
  o.backends = {"offline"};
  o.allow_fallback = false;
  try {
    Session::load_memory(b.data(), b.size(), o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBackendUnavailable);
  }
  o.allow_fallback = true;  // falls back to whatever is available
  EXPECT_NO_THROW(Session::load_memory(b.data(), b.size(), o));
  BackendRegistry::instance().remove("offline");
}

// ---- C API ----

struct CallbackState {
  std::atomic<int> calls{0};
  std::atomic<int> status{-1};
};

TEST_F(Api, CApiRoundTrip) {
  std::string b = add_relu();
  rnpu_options* o = nullptr;
  ASSERT_EQ(rnpu_options_create(&o), RNPU_OK);
  ASSERT_EQ(rnpu_options_set_backends(o, "testref"), RNPU_OK);
  ASSERT_EQ(rnpu_options_set_fallback(o, 0), RNPU_OK);
  ASSERT_EQ(rnpu_options_set_threads(o, 2), RNPU_OK);
  ASSERT_EQ(rnpu_options_set_profiling(o, 1), RNPU_OK);
  rnpu_session* s = nullptr;
  ASSERT_EQ(rnpu_session_create_from_memory(b.data(), b.size(), o, &s), RNPU_OK);
  rnpu_options_destroy(o);
  EXPECT_EQ(rnpu_session_input_count(s), 1u);
  rnpu_tensor_info info{};
  info.struct_size = sizeof info;
  ASSERT_EQ(rnpu_session_input_info(s, 0, &info), RNPU_OK);
  EXPECT_STREQ(info.name, "x");
  EXPECT_EQ(info.rank, 2u);
  float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {};
  int64_t dims[2] = {2, 3};
  ASSERT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, dims, 2), RNPU_OK);
  ASSERT_EQ(rnpu_session_set_output(s, 0, y, sizeof y), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(s), RNPU_OK);
  EXPECT_EQ(y[2], 13.f);
  EXPECT_EQ(rnpu_session_profile_count(s), 2u);
  rnpu_op_profile p{};
  p.struct_size = sizeof p;
  ASSERT_EQ(rnpu_session_profile(s, 1, &p), RNPU_OK);
  EXPECT_STREQ(p.node, "relu");
  EXPECT_STREQ(p.backend, "testref");
  rnpu_partition_decision d{};
  d.struct_size = sizeof d;
  ASSERT_EQ(rnpu_session_partition(s, 0, &d), RNPU_OK);
  EXPECT_STREQ(d.backend, "testref");

  CallbackState st;
  x[0] = 100;
  ASSERT_EQ(rnpu_session_run_async(
                s,
                [](rnpu_session*, rnpu_status status, void* user) {
                  auto* cs = static_cast<CallbackState*>(user);
                  cs->status = status;
                  ++cs->calls;
                },
                &st),
            RNPU_OK);
  EXPECT_EQ(rnpu_session_wait(s), RNPU_OK);
  EXPECT_EQ(st.calls.load(), 1);
  EXPECT_EQ(st.status.load(), RNPU_OK);
  EXPECT_EQ(y[0], 110.f);
  rnpu_session_destroy(s);
}

TEST_F(Api, CApiErrorsCarryDetails) {
  rnpu_session* s = nullptr;
  EXPECT_EQ(rnpu_session_create_from_memory("junk", 4, nullptr, &s), RNPU_ERR_MALFORMED_MODEL);
  EXPECT_EQ(s, nullptr);
  rnpu_error_info e{};
  e.struct_size = sizeof e;
  EXPECT_EQ(rnpu_last_error(&e), RNPU_ERR_MALFORMED_MODEL);
  EXPECT_NE(std::strstr(e.message, "protobuf"), nullptr);

  ModelBuilder m;
  m.input("x", {2}).output("y");
  m.node("Softmax", {"x"}, {"y"}, "sm");
  std::string b = m.bytes();
  rnpu_options* o = nullptr;
  rnpu_options_create(&o);
  rnpu_options_set_backends(o, "testref");
  rnpu_options_set_fallback(o, 0);
  EXPECT_EQ(rnpu_session_create_from_memory(b.data(), b.size(), o, &s), RNPU_ERR_UNSUPPORTED_OP);
  rnpu_last_error(&e);
  EXPECT_STREQ(e.node, "sm");
  EXPECT_STREQ(e.op, "Softmax");
  EXPECT_NE(std::strstr(e.reason, "not implemented"), nullptr);
  rnpu_options_destroy(o);

  EXPECT_EQ(rnpu_session_create_from_file("/nonexistent.onnx", nullptr, &s), RNPU_ERR_IO);
  EXPECT_EQ(rnpu_session_run(nullptr), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_options_set_threads(nullptr, 1), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(rnpu_status_string(RNPU_ERR_SHAPE_MISMATCH), "shape mismatch");
  EXPECT_GE(rnpu_backend_count(), 1u);
}

}  // namespace
}  // namespace rnpu
