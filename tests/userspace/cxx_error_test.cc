// The header-only C++ API rebuilds rnpu::Error from the C API's status and
// the thread's last-error details: code, node, op, reason and backend hint,
// for synchronous calls and for asynchronous runs (whose details come from
// the session's worker thread).
#include <gtest/gtest.h>

#include <string>

#include "backend/backend.h"
#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"
#include "support/test_backend.h"

namespace rnpu {
namespace {

using test::ModelBuilder;

// y = neg(relu(x)), x [2].
std::string relu_neg() {
  ModelBuilder m;
  m.input("x", {2}).output("y");
  m.node("Relu", {"x"}, {"r"}, "relu");
  m.node("Neg", {"r"}, {"y"}, "neg");
  return m.bytes();
}

class CxxError : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test::register_test_backend(
        std::make_unique<test::TestBackend>("cxxerr_relu", std::set<std::string>{"Relu"}), 90);
    test::register_test_backend(
        std::make_unique<test::TestBackend>("cxxerr_neg", std::set<std::string>{"Neg"}), 91);
  }
  static void TearDownTestSuite() {
    BackendRegistry::instance().remove("cxxerr_relu");
    BackendRegistry::instance().remove("cxxerr_neg");
  }
};

TEST_F(CxxError, UnsupportedOpCarriesNodeOpReasonAndHint) {
  std::string m = relu_neg();
  Options o;
  o.backends = {"cxxerr_relu"};
  o.allow_fallback = false;
  try {
    Session::load_memory(m.data(), m.size(), o);
    FAIL() << "loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupportedOp);
    EXPECT_EQ(e.node(), "neg");
    EXPECT_EQ(e.op(), "Neg");
    EXPECT_NE(e.reason().find("cxxerr_relu"), std::string::npos) << e.what();
    EXPECT_FALSE(e.backend_hint().empty()) << e.what();
    EXPECT_NE(std::string(e.what()).find("node 'neg' (Neg): "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("would take it"), std::string::npos) << e.what();
  }
}

TEST_F(CxxError, AsyncRunFailureComesFromTheWorkerThread) {
  std::string m = relu_neg();
  Options o;
  o.backends = {"cxxerr_relu", "cxxerr_neg"};
  Session s = Session::load_memory(m.data(), m.size(), o);
  // No input bound: the run fails on the worker thread.
  std::future<void> f = s.run_async();
  try {
    f.get();
    FAIL() << "ran";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("'x'"), std::string::npos) << e.what();
  }
  // The session still works afterwards.
  const float x[2] = {-1, 2};
  const int64_t shape[1] = {2};
  s.set_input(0, x, sizeof x, shape);
  std::future<void> g = s.run_async();
  g.get();
  const float* y = static_cast<const float*>(s.output(0).data);
  EXPECT_EQ(y[0], 0.f);
  EXPECT_EQ(y[1], -2.f);
}

TEST_F(CxxError, CodesAndNamesMatchTheCApi) {
  for (int c = 0; c <= 11; ++c)
    EXPECT_STREQ(error_code_name(ErrorCode(c)), rnpu_status_string(rnpu_status(c)));
  EXPECT_STREQ(error_code_name(ErrorCode::kIo), "I/O error");
  try {
    throw_on_error(rnpu_session_run(nullptr));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(e.reason(), "session is NULL");
  }
  EXPECT_NO_THROW(throw_on_error(RNPU_OK));
}

}  // namespace
}  // namespace rnpu
