// The C API (userspace/include/rnpu/rnpu.h) where api_test.cc does not
// reach: rnpu_backend_info, rnpu_options_set_optimization,
// rnpu_session_arena_bytes, _find_input, _find_output, _output_info and
// _partition_count; the struct_size contract of every struct that carries
// one; out-of-range indices for every index-taking call; the per-thread
// last error; and errors from asynchronous and pipelined runs.
//
// Runs on "capi_ref", a TestBackend of its own (float32 Add, Mul, Relu, Neg,
// Identity), so the expected values follow from the ops alone.
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "rnpu/rnpu.h"
#include "support/graph_builder.h"
#include "support/test_backend.h"

namespace rnpu {
namespace {

using test::ModelBuilder;

// "capi_block": capi_ref whose run() waits until the test opens the gate,
// so an asynchronous run can be held pending.
class GateBackend : public test::TestBackend {
 public:
  GateBackend() : TestBackend("capi_block") {}
  void run(Program& p, RunContext& ctx) override {
    {
      std::unique_lock lock(mu_);
      ++waiting_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return open_; });
    }
    TestBackend::run(p, ctx);
  }
  void close() {
    std::lock_guard lock(mu_);
    open_ = false;
    waiting_ = 0;
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void wait_until_running() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return waiting_ > 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  int waiting_ = 0;
};

struct LastErr {
  rnpu_status status;
  std::string message, node, op, reason, hint;
};

LastErr last_error() {
  rnpu_error_info e{};
  e.struct_size = sizeof e;
  rnpu_status st = rnpu_last_error(&e);
  EXPECT_EQ(st, e.status);
  EXPECT_NE(e.message, nullptr);
  EXPECT_NE(e.node, nullptr);
  EXPECT_NE(e.op, nullptr);
  EXPECT_NE(e.reason, nullptr);
  EXPECT_NE(e.backend_hint, nullptr);
  return {st,
          e.message ? e.message : "",
          e.node ? e.node : "",
          e.op ? e.op : "",
          e.reason ? e.reason : "",
          e.backend_hint ? e.backend_hint : ""};
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

class CApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test::register_test_backend(std::make_unique<test::TestBackend>("capi_ref"), 3);
    auto g = std::make_unique<GateBackend>();
    gate_ = g.get();
    BackendRegistry::instance().add(
        "capi_block", 4,
        [holder = std::make_shared<std::unique_ptr<GateBackend>>(
             std::move(g))]() -> std::unique_ptr<Backend> { return std::move(*holder); });
    BackendRegistry::instance().get("capi_block");  // instantiate: gate_ is the live object
  }
  static void TearDownTestSuite() {
    BackendRegistry::instance().remove("capi_ref");
    BackendRegistry::instance().remove("capi_block");
  }
  void TearDown() override {
    gate_->open();  // a failed test must not leave a run blocked
    for (rnpu_session* s : sessions_) rnpu_session_destroy(s);
  }

  // y = relu(x + 10), s the intermediate.
  static std::string add_relu(std::vector<int64_t> dims = {2, 3}) {
    ModelBuilder m;
    m.input("x", dims).init("k", {}, {10.f}).output("y");
    m.node("Add", {"x", "k"}, {"s"}, "add");
    m.node("Relu", {"s"}, {"y"}, "relu");
    return m.bytes();
  }

  // Inputs a, b [2, 2]; outputs declared "prod" (a * b), then "sum" (a + b).
  static std::string two_by_two() {
    ModelBuilder m;
    m.input("a", {2, 2}).input("b", {2, 2}).output("prod").output("sum");
    m.node("Mul", {"a", "b"}, {"prod"}, "mul");
    m.node("Add", {"a", "b"}, {"sum"}, "add");
    return m.bytes();
  }

  rnpu_session* open(const std::string& model, const char* backend = "capi_ref",
                     int optimization = 1) {
    rnpu_options* o = nullptr;
    EXPECT_EQ(rnpu_options_create(&o), RNPU_OK);
    EXPECT_EQ(rnpu_options_set_backends(o, backend), RNPU_OK);
    EXPECT_EQ(rnpu_options_set_fallback(o, 0), RNPU_OK);
    EXPECT_EQ(rnpu_options_set_profiling(o, 1), RNPU_OK);
    EXPECT_EQ(rnpu_options_set_optimization(o, optimization), RNPU_OK);
    rnpu_session* s = nullptr;
    rnpu_status st = rnpu_session_create_from_memory(model.data(), model.size(), o, &s);
    rnpu_options_destroy(o);
    EXPECT_EQ(st, RNPU_OK) << last_error().message;
    if (s) sessions_.push_back(s);
    return s;
  }

  static GateBackend* gate_;
  std::vector<rnpu_session*> sessions_;
};
GateBackend* CApi::gate_ = nullptr;

// ---- rnpu_backend_count / rnpu_backend_info ----

TEST_F(CApi, BackendInfoListsEveryRegisteredBackend) {
  test::register_test_backend(
      std::make_unique<test::TestBackend>("capi_off", std::set<std::string>{}, -1, false), 90);
  size_t n = rnpu_backend_count();
  ASSERT_GE(n, 3u);  // capi_ref, capi_block, capi_off at least
  std::set<std::string> names;
  int seen_ref = 0, seen_off = 0;
  for (size_t i = 0; i < n; ++i) {
    const char *name = nullptr, *desc = nullptr;
    int avail = -1;
    ASSERT_EQ(rnpu_backend_info(i, &name, &avail, &desc), RNPU_OK) << i;
    ASSERT_NE(name, nullptr);
    ASSERT_NE(desc, nullptr);
    EXPECT_NE(name[0], '\0');
    EXPECT_TRUE(avail == 0 || avail == 1) << avail;
    EXPECT_TRUE(names.insert(name).second) << "listed twice: " << name;
    if (std::string(name) == "capi_ref") {
      ++seen_ref;
      EXPECT_EQ(avail, 1);
      EXPECT_STREQ(desc, "test backend");
    }
    if (std::string(name) == "capi_off") {
      ++seen_off;
      EXPECT_EQ(avail, 0);
      EXPECT_STREQ(desc, "test backend (switched off)");
    }
  }
  EXPECT_EQ(seen_ref, 1);
  EXPECT_EQ(seen_off, 1);
  // The strings outlive the call (they are read after further calls here).
  const char *first = nullptr, *again = nullptr;
  ASSERT_EQ(rnpu_backend_info(0, &first, nullptr, nullptr), RNPU_OK);
  std::string copy = first;
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(rnpu_backend_info(i, &again, nullptr, nullptr), RNPU_OK);
  EXPECT_EQ(std::string(first), copy);
  BackendRegistry::instance().remove("capi_off");
  EXPECT_EQ(rnpu_backend_count(), n - 1);
}

// ---- rnpu_options_set_optimization ----

TEST_F(CApi, SetOptimizationValidatesAndLevelZeroKeepsTheGraph) {
  rnpu_options* o = nullptr;
  ASSERT_EQ(rnpu_options_create(&o), RNPU_OK);
  EXPECT_EQ(rnpu_options_set_optimization(o, 0), RNPU_OK);
  EXPECT_EQ(rnpu_options_set_optimization(o, 1), RNPU_OK);
  EXPECT_EQ(rnpu_options_set_optimization(o, -1), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(last_error().status, RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_options_set_optimization(o, 2), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_options_set_optimization(nullptr, 1), RNPU_ERR_INVALID_ARGUMENT);
  rnpu_options_destroy(o);

  // y = x + 10, plus a Neg whose result nothing reads.  Level 1 removes the
  // dead node; level 0 (import + shape inference only) keeps and places it.
  ModelBuilder m;
  m.input("x", {4}).init("k", {}, {10.f}).output("y");
  m.node("Add", {"x", "k"}, {"y"}, "add");
  m.node("Neg", {"x"}, {"unused"}, "dead_neg");
  std::string b = m.bytes();
  rnpu_session* full = open(b, "capi_ref", 1);
  rnpu_session* none = open(b, "capi_ref", 0);
  ASSERT_TRUE(full && none);
  EXPECT_EQ(rnpu_session_partition_count(full), 1u);
  EXPECT_EQ(rnpu_session_partition_count(none), 2u);
  rnpu_partition_decision d{};
  d.struct_size = sizeof d;
  bool kept = false;
  for (size_t i = 0; i < rnpu_session_partition_count(none); ++i) {
    ASSERT_EQ(rnpu_session_partition(none, i, &d), RNPU_OK);
    kept |= std::string(d.node) == "dead_neg";
  }
  EXPECT_TRUE(kept);
  // Both compute the same y.
  float x[4] = {1, -2, 3, -40};
  int64_t dims[1] = {4};
  for (rnpu_session* s : {full, none}) {
    float y[4] = {};
    ASSERT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, dims, 1), RNPU_OK);
    ASSERT_EQ(rnpu_session_set_output(s, 0, y, sizeof y), RNPU_OK);
    ASSERT_EQ(rnpu_session_run(s), RNPU_OK) << last_error().message;
    EXPECT_EQ(y[0], 11.f);
    EXPECT_EQ(y[3], -30.f);
  }
}

// ---- rnpu_session_find_input / _find_output / _output_info ----

TEST_F(CApi, FindInputAndOutputByName) {
  rnpu_session* s = open(two_by_two());
  ASSERT_NE(s, nullptr);
  size_t i = 99;
  ASSERT_EQ(rnpu_session_find_input(s, "a", &i), RNPU_OK);
  EXPECT_EQ(i, 0u);
  ASSERT_EQ(rnpu_session_find_input(s, "b", &i), RNPU_OK);
  EXPECT_EQ(i, 1u);
  ASSERT_EQ(rnpu_session_find_output(s, "prod", &i), RNPU_OK);
  EXPECT_EQ(i, 0u);
  ASSERT_EQ(rnpu_session_find_output(s, "sum", &i), RNPU_OK);
  EXPECT_EQ(i, 1u);

  i = 77;
  EXPECT_EQ(rnpu_session_find_input(s, "nope", &i), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(i, 77u);  // untouched on failure
  EXPECT_TRUE(contains(last_error().message, "nope")) << last_error().message;
  // Inputs and outputs are separate name spaces.
  EXPECT_EQ(rnpu_session_find_output(s, "a", &i), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_find_input(s, "sum", &i), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_find_input(s, "", &i), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(i, 77u);
  EXPECT_EQ(rnpu_session_find_input(nullptr, "a", &i), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_find_input(s, nullptr, &i), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_find_input(s, "a", nullptr), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_find_output(nullptr, "sum", &i), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_find_output(s, nullptr, &i), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_find_output(s, "sum", nullptr), RNPU_ERR_INVALID_ARGUMENT);

  // The index found is the one the data calls take.
  float a[4] = {1, 2, 3, 4}, b[4] = {10, 20, 30, 40}, sum[4] = {}, prod[4] = {};
  int64_t dims[2] = {2, 2};
  size_t ia, ib, isum, iprod;
  ASSERT_EQ(rnpu_session_find_input(s, "a", &ia), RNPU_OK);
  ASSERT_EQ(rnpu_session_find_input(s, "b", &ib), RNPU_OK);
  ASSERT_EQ(rnpu_session_find_output(s, "sum", &isum), RNPU_OK);
  ASSERT_EQ(rnpu_session_find_output(s, "prod", &iprod), RNPU_OK);
  ASSERT_EQ(rnpu_session_set_input(s, ia, a, sizeof a, dims, 2), RNPU_OK);
  ASSERT_EQ(rnpu_session_set_input(s, ib, b, sizeof b, dims, 2), RNPU_OK);
  ASSERT_EQ(rnpu_session_set_output(s, isum, sum, sizeof sum), RNPU_OK);
  ASSERT_EQ(rnpu_session_set_output(s, iprod, prod, sizeof prod), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(s), RNPU_OK) << last_error().message;
  EXPECT_EQ(sum[3], 44.f);
  EXPECT_EQ(prod[3], 160.f);
}

TEST_F(CApi, OutputInfoGivesNameTypeAndShape) {
  rnpu_session* s = open(two_by_two());
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(rnpu_session_output_count(s), 2u);
  const char* want[2] = {"prod", "sum"};
  for (size_t i = 0; i < 2; ++i) {
    rnpu_tensor_info t{};
    t.struct_size = sizeof t;
    ASSERT_EQ(rnpu_session_output_info(s, i, &t), RNPU_OK);
    EXPECT_STREQ(t.name, want[i]);
    EXPECT_EQ(t.dtype, RNPU_DTYPE_FLOAT32);
    ASSERT_EQ(t.rank, 2u);
    EXPECT_EQ(t.dims[0], 2);
    EXPECT_EQ(t.dims[1], 2);
  }
  // A dynamic dimension is -1 until run time.
  rnpu_session* d = open(add_relu({-1, 3}));
  ASSERT_NE(d, nullptr);
  rnpu_tensor_info t{};
  t.struct_size = sizeof t;
  ASSERT_EQ(rnpu_session_output_info(d, 0, &t), RNPU_OK);
  EXPECT_STREQ(t.name, "y");
  ASSERT_EQ(t.rank, 2u);
  EXPECT_EQ(t.dims[0], -1);
  EXPECT_EQ(t.dims[1], 3);
  // get_output gives the run's actual shape.
  float x[12] = {};
  int64_t dims[2] = {4, 3};
  ASSERT_EQ(rnpu_session_set_input(d, 0, x, sizeof x, dims, 2), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(d), RNPU_OK) << last_error().message;
  const void* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(rnpu_session_get_output(d, 0, &t, &data, &size), RNPU_OK);
  EXPECT_EQ(t.dims[0], 4);
  EXPECT_EQ(size, sizeof x);
  EXPECT_EQ(static_cast<const float*>(data)[11], 10.f);
}

// ---- rnpu_session_partition_count / rnpu_session_arena_bytes ----

TEST_F(CApi, PartitionCountIsOneDecisionPerNode) {
  rnpu_session* s = open(add_relu());
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(rnpu_session_partition_count(s), 2u);
  std::set<std::string> nodes;
  for (size_t i = 0; i < 2; ++i) {
    rnpu_partition_decision d{};
    d.struct_size = sizeof d;
    ASSERT_EQ(rnpu_session_partition(s, i, &d), RNPU_OK);
    nodes.insert(d.node);
    EXPECT_STREQ(d.backend, "capi_ref");
    EXPECT_NE(d.reason, nullptr);
  }
  EXPECT_EQ(nodes, (std::set<std::string>{"add", "relu"}));
  rnpu_session* t = open(two_by_two());
  EXPECT_EQ(rnpu_session_partition_count(t), 2u);
  EXPECT_EQ(rnpu_session_partition_count(nullptr), 0u);
}

TEST_F(CApi, ArenaBytesIsThePeakOfLiveIntermediates) {
  // x -> Neg -> a -> Neg -> b -> Neg -> y, [4, 16] float32 = 256 bytes each.
  // With y in the caller's buffer (not planned) the intermediates a and b are
  // both live while the second Neg reads a and writes b: 2 x 256 bytes.
  ModelBuilder m;
  m.input("x", {4, 16}).output("y");
  m.node("Neg", {"x"}, {"a"}, "n1");
  m.node("Neg", {"a"}, {"b"}, "n2");
  m.node("Neg", {"b"}, {"y"}, "n3");
  rnpu_session* s = open(m.bytes());
  ASSERT_NE(s, nullptr);
  float x[64], y[64] = {};
  for (int i = 0; i < 64; ++i) x[i] = float(i);
  int64_t dims[2] = {4, 16};
  ASSERT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, dims, 2), RNPU_OK);
  ASSERT_EQ(rnpu_session_set_output(s, 0, y, sizeof y), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(s), RNPU_OK) << last_error().message;
  EXPECT_EQ(y[5], -5.f);
  EXPECT_EQ(rnpu_session_arena_bytes(s), 512u);

  // One 24-byte intermediate (s of add_relu) takes one 64-byte slot.
  rnpu_session* t = open(add_relu());
  float xs[6] = {}, ys[6] = {};
  int64_t d2[2] = {2, 3};
  ASSERT_EQ(rnpu_session_set_input(t, 0, xs, sizeof xs, d2, 2), RNPU_OK);
  ASSERT_EQ(rnpu_session_set_output(t, 0, ys, sizeof ys), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(t), RNPU_OK) << last_error().message;
  EXPECT_EQ(rnpu_session_arena_bytes(t), 64u);
  // Unbound, the output lives in session memory too: never less.
  ASSERT_EQ(rnpu_session_set_output(t, 0, nullptr, 0), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(t), RNPU_OK) << last_error().message;
  EXPECT_GE(rnpu_session_arena_bytes(t), 64u);
  EXPECT_EQ(rnpu_session_arena_bytes(nullptr), 0u);
}

// ---- struct_size ----
//
// The contract (rnpu.h, "ABI rules"; c_api.cc, StructAbi): a struct_size
// below the struct's RNPU_*_MIN_SIZE (its first published layout) is
// RNPU_ERR_INVALID_ARGUMENT and nothing is written (rnpu_last_error, which
// cannot fail, returns the status and leaves the struct alone).  A size from
// the minimum up to this library's sizeof -- an older caller -- gets the
// fields its size covers and nothing past them.  A larger size -- a caller
// built against a newer header with fields appended -- is accepted: the
// fields known here are filled and the bytes past them are left alone.
// The two expectations below and min_size() are the only places that
// encode the contract; tests/abi runs real C callers against it.

enum class SizeOutcome { kRejected, kFilled, kPrefixFilled };
constexpr SizeOutcome kWhenTooSmall = SizeOutcome::kPrefixFilled;  // [min, sizeof)
constexpr SizeOutcome kWhenTooLarge = SizeOutcome::kFilled;        // > sizeof: tail untouched

constexpr size_t min_size(const rnpu_error_info*) {
  return RNPU_ERROR_INFO_MIN_SIZE;
}
constexpr size_t min_size(const rnpu_tensor_info*) {
  return RNPU_TENSOR_INFO_MIN_SIZE;
}
constexpr size_t min_size(const rnpu_op_profile*) {
  return RNPU_OP_PROFILE_MIN_SIZE;
}
constexpr size_t min_size(const rnpu_partition_decision*) {
  return RNPU_PARTITION_DECISION_MIN_SIZE;
}

// The API 0.1 layouts are the minimums: only rnpu_tensor_info has grown
// since (dims[8] -> dims[RNPU_MAX_RANK], at its end).
static_assert(RNPU_ERROR_INFO_MIN_SIZE == sizeof(rnpu_error_info));
static_assert(RNPU_OP_PROFILE_MIN_SIZE == sizeof(rnpu_op_profile));
static_assert(RNPU_PARTITION_DECISION_MIN_SIZE == sizeof(rnpu_partition_decision));
static_assert(RNPU_INPUT_DESC_MIN_SIZE == sizeof(rnpu_input_desc));
static_assert(RNPU_TENSOR_INFO_MIN_SIZE == sizeof(rnpu_tensor_info) - 8 * sizeof(int64_t));
static_assert(RNPU_MAX_RANK == 16);

// The struct followed by bytes a newer caller's appended fields would use.
template <class S>
struct Padded {
  S s;
  unsigned char tail[64];
};

// call(S*) -> status; filled(const S&) checks the fields a success writes
// (for a prefix size, the fields the test's struct has there).
// expect_status: what a call that fills returns (rnpu_last_error returns
// the last failure's status, not RNPU_OK).
template <class S, class Call, class Filled>
void check_struct_size(const char* what, Call call, Filled filled, rnpu_status ok_status) {
  SCOPED_TRACE(what);
  const size_t min = min_size(static_cast<const S*>(nullptr));
  ASSERT_GE(min, sizeof(size_t) + 1);
  ASSERT_LE(min, sizeof(S));
  const size_t sizes_small[] = {0, sizeof(size_t), min - 1};
  for (size_t sz : sizes_small) {
    Padded<S> p;
    std::memset(&p, 0xab, sizeof p);
    p.s.struct_size = sz;
    Padded<S> before;
    std::memcpy(&before, &p, sizeof p);
    rnpu_status st = call(&p.s);
    EXPECT_EQ(std::memcmp(&p, &before, sizeof p), 0) << "struct_size " << sz << ": written";
    if (ok_status == RNPU_OK) EXPECT_EQ(st, RNPU_ERR_INVALID_ARGUMENT) << "struct_size " << sz;
  }
  // Older callers: every size from the minimum up to ours.
  for (size_t sz = min; sz < sizeof(S); sz += sizeof(int64_t)) {
    Padded<S> p;
    std::memset(&p, 0xab, sizeof p);
    p.s.struct_size = sz;
    rnpu_status st = call(&p.s);
    if (kWhenTooSmall == SizeOutcome::kRejected) {
      EXPECT_EQ(st, RNPU_ERR_INVALID_ARGUMENT) << "struct_size " << sz;
      continue;
    }
    EXPECT_EQ(st, ok_status) << "struct_size " << sz;
    EXPECT_EQ(p.s.struct_size, sz) << "struct_size itself is the caller's";
    filled(p.s);
    const auto* bytes = reinterpret_cast<const unsigned char*>(&p);
    for (size_t i = sz; i < sizeof p; ++i)
      ASSERT_EQ(bytes[i], 0xab) << "struct_size " << sz << ": wrote byte " << i;
  }
  for (size_t sz : {sizeof(S), sizeof(Padded<S>)}) {
    Padded<S> p;
    std::memset(&p, 0xab, sizeof p);
    p.s.struct_size = sz;
    rnpu_status st = call(&p.s);
    if (sz > sizeof(S) && kWhenTooLarge != SizeOutcome::kFilled) continue;
    EXPECT_EQ(st, ok_status) << "struct_size " << sz;
    EXPECT_EQ(p.s.struct_size, sz) << "struct_size itself is the caller's";
    filled(p.s);
    for (unsigned char c : p.tail) ASSERT_EQ(c, 0xab) << "struct_size " << sz << ": wrote past S";
  }
}

TEST_F(CApi, StructSizeTooSmallOrTooLargeForEveryStruct) {
  rnpu_session* s = open(add_relu());
  ASSERT_NE(s, nullptr);
  float x[6] = {1, 2, 3, 4, 5, 6};
  int64_t dims[2] = {2, 3};
  ASSERT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, dims, 2), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(s), RNPU_OK) << last_error().message;
  ASSERT_EQ(rnpu_session_profile_count(s), 2u);

  auto tensor_xy = [](const char* name, int64_t d0) {
    return [name, d0](const rnpu_tensor_info& t) {
      EXPECT_STREQ(t.name, name);
      EXPECT_EQ(t.dtype, RNPU_DTYPE_FLOAT32);
      EXPECT_EQ(t.rank, 2u);
      EXPECT_EQ(t.dims[0], d0);
      EXPECT_EQ(t.dims[1], 3);
    };
  };
  check_struct_size<rnpu_tensor_info>(
      "input_info", [&](rnpu_tensor_info* t) { return rnpu_session_input_info(s, 0, t); },
      tensor_xy("x", 2), RNPU_OK);
  check_struct_size<rnpu_tensor_info>(
      "output_info", [&](rnpu_tensor_info* t) { return rnpu_session_output_info(s, 0, t); },
      tensor_xy("y", 2), RNPU_OK);
  check_struct_size<rnpu_tensor_info>(
      "get_output",
      [&](rnpu_tensor_info* t) {
        const void* data = nullptr;
        size_t size = 0;
        return rnpu_session_get_output(s, 0, t, &data, &size);
      },
      tensor_xy("y", 2), RNPU_OK);
  check_struct_size<rnpu_op_profile>(
      "profile", [&](rnpu_op_profile* p) { return rnpu_session_profile(s, 1, p); },
      [](const rnpu_op_profile& p) {
        EXPECT_STREQ(p.node, "relu");
        EXPECT_STREQ(p.op, "Relu");
        EXPECT_STREQ(p.backend, "capi_ref");
        EXPECT_EQ(p.cycles, 7u);  // what TestBackend records
      },
      RNPU_OK);
  check_struct_size<rnpu_partition_decision>(
      "partition", [&](rnpu_partition_decision* d) { return rnpu_session_partition(s, 0, d); },
      [](const rnpu_partition_decision& d) {
        EXPECT_STREQ(d.node, "add");
        EXPECT_STREQ(d.op, "Add");
        EXPECT_STREQ(d.backend, "capi_ref");
        EXPECT_NE(d.reason, nullptr);
      },
      RNPU_OK);

  // rnpu_last_error: make a known failure first.
  size_t idx;
  ASSERT_EQ(rnpu_session_find_input(s, "missing", &idx), RNPU_ERR_INVALID_ARGUMENT);
  check_struct_size<rnpu_error_info>(
      "last_error", [](rnpu_error_info* e) { return rnpu_last_error(e); },
      [](const rnpu_error_info& e) {
        EXPECT_EQ(e.status, RNPU_ERR_INVALID_ARGUMENT);
        EXPECT_TRUE(contains(e.message, "missing")) << e.message;
        EXPECT_STREQ(e.node, "");
        EXPECT_STREQ(e.op, "");
        EXPECT_STREQ(e.backend_hint, "");
      },
      RNPU_ERR_INVALID_ARGUMENT);
  // Too small there still returns the status (it has no way to fail).
  rnpu_error_info small{};
  small.struct_size = RNPU_ERROR_INFO_MIN_SIZE - 1;
  EXPECT_EQ(rnpu_last_error(&small), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_last_error(nullptr), RNPU_ERR_INVALID_ARGUMENT);

  // NULL struct pointers are invalid arguments where a struct is required.
  EXPECT_EQ(rnpu_session_input_info(s, 0, nullptr), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_output_info(s, 0, nullptr), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_profile(s, 0, nullptr), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_partition(s, 0, nullptr), RNPU_ERR_INVALID_ARGUMENT);
  // get_output's info is optional.
  const void* data = nullptr;
  size_t size = 0;
  EXPECT_EQ(rnpu_session_get_output(s, 0, nullptr, &data, &size), RNPU_OK);
  EXPECT_EQ(size, sizeof x);
}

// ---- out-of-range indices ----

TEST_F(CApi, OutOfRangeIndicesAreInvalidArguments) {
  rnpu_session* s = open(add_relu());
  ASSERT_NE(s, nullptr);
  float x[6] = {}, y[6] = {};
  int64_t dims[2] = {2, 3};
  ASSERT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, dims, 2), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(s), RNPU_OK) << last_error().message;
  const size_t n_in = rnpu_session_input_count(s), n_out = rnpu_session_output_count(s),
               n_prof = rnpu_session_profile_count(s), n_part = rnpu_session_partition_count(s),
               n_be = rnpu_backend_count();
  ASSERT_EQ(n_in, 1u);
  ASSERT_EQ(n_out, 1u);
  ASSERT_EQ(n_prof, 2u);
  ASSERT_EQ(n_part, 2u);

  auto expect_bad = [](rnpu_status st, const std::string& what) {
    EXPECT_EQ(st, RNPU_ERR_INVALID_ARGUMENT) << what;
    LastErr e = last_error();
    EXPECT_EQ(e.status, RNPU_ERR_INVALID_ARGUMENT) << what;
    EXPECT_FALSE(e.message.empty()) << what;
  };
  for (size_t bad : {size_t(0), size_t(1), size_t(1000), SIZE_MAX}) {
    std::string at = " index base+" + std::to_string(bad);
    rnpu_tensor_info t{};
    t.struct_size = sizeof t;
    rnpu_op_profile p{};
    p.struct_size = sizeof p;
    rnpu_partition_decision d{};
    d.struct_size = sizeof d;
    const char *name = nullptr, *desc = nullptr;
    int avail = -1;
    const void* data = nullptr;
    size_t size = 12345;
    // index = count + bad (wrapping to SIZE_MAX - count + 1.. for SIZE_MAX)
    auto past = [bad](size_t count) { return bad == SIZE_MAX ? SIZE_MAX : count + bad; };
    expect_bad(rnpu_backend_info(past(n_be), &name, &avail, &desc), "backend_info" + at);
    EXPECT_EQ(name, nullptr);
    EXPECT_EQ(avail, -1);
    expect_bad(rnpu_session_input_info(s, past(n_in), &t), "input_info" + at);
    expect_bad(rnpu_session_output_info(s, past(n_out), &t), "output_info" + at);
    EXPECT_EQ(t.name, nullptr);  // nothing written
    expect_bad(rnpu_session_set_input(s, past(n_in), x, sizeof x, dims, 2), "set_input" + at);
    expect_bad(rnpu_session_set_output(s, past(n_out), y, sizeof y), "set_output" + at);
    expect_bad(rnpu_session_get_output(s, past(n_out), &t, &data, &size), "get_output" + at);
    EXPECT_EQ(data, nullptr);
    EXPECT_EQ(size, 12345u);
    expect_bad(rnpu_session_profile(s, past(n_prof), &p), "profile" + at);
    EXPECT_EQ(p.node, nullptr);
    expect_bad(rnpu_session_partition(s, past(n_part), &d), "partition" + at);
    EXPECT_EQ(d.node, nullptr);
  }
  // The session is unharmed: the last valid index of each still works.
  rnpu_op_profile p{};
  p.struct_size = sizeof p;
  EXPECT_EQ(rnpu_session_profile(s, n_prof - 1, &p), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(s), RNPU_OK) << last_error().message;
}

// ---- per-thread last error ----

TEST_F(CApi, LastErrorIsPerThread) {
  rnpu_session* main_s = nullptr;
  ASSERT_EQ(rnpu_session_create_from_file("/nonexistent/model.onnx", nullptr, &main_s),
            RNPU_ERR_IO);
  std::string main_msg = last_error().message;
  ASSERT_FALSE(main_msg.empty());

  // Two threads fail differently, both before either reads its error.
  std::barrier sync(2);
  LastErr got[2];
  std::thread t0([&] {
    rnpu_session* s = nullptr;
    EXPECT_EQ(rnpu_session_create_from_memory("junk", 4, nullptr, &s), RNPU_ERR_MALFORMED_MODEL);
    sync.arrive_and_wait();
    got[0] = last_error();
    sync.arrive_and_wait();
  });
  std::thread t1([&] {
    EXPECT_EQ(rnpu_options_set_threads(nullptr, 1), RNPU_ERR_INVALID_ARGUMENT);
    sync.arrive_and_wait();
    got[1] = last_error();
    sync.arrive_and_wait();
  });
  t0.join();
  t1.join();
  EXPECT_EQ(got[0].status, RNPU_ERR_MALFORMED_MODEL);
  EXPECT_TRUE(contains(got[0].message, "protobuf")) << got[0].message;
  EXPECT_EQ(got[1].status, RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(got[1].message, "options")) << got[1].message;
  EXPECT_NE(got[0].message, got[1].message);
  // This thread still has its own.
  LastErr mine = last_error();
  EXPECT_EQ(mine.status, RNPU_ERR_IO);
  EXPECT_EQ(mine.message, main_msg);

  // A thread that never failed: RNPU_OK and empty strings.
  LastErr fresh;
  std::thread([&] { fresh = last_error(); }).join();
  EXPECT_EQ(fresh.status, RNPU_OK);
  EXPECT_EQ(fresh.message, "");
  EXPECT_EQ(fresh.node, "");

  // Successful calls leave the last failure in place.
  rnpu_options* o = nullptr;
  ASSERT_EQ(rnpu_options_create(&o), RNPU_OK);
  ASSERT_EQ(rnpu_options_set_threads(o, 1), RNPU_OK);
  rnpu_options_destroy(o);
  EXPECT_EQ(last_error().status, RNPU_ERR_IO);

  // Node details too are per thread: an unsupported op on one thread.
  LastErr node_err;
  std::thread([&] {
    ModelBuilder m;
    m.input("x", {2}).output("y");
    m.node("Softmax", {"x"}, {"y"}, "sm");
    std::string b = m.bytes();
    rnpu_options* opts = nullptr;
    rnpu_options_create(&opts);
    rnpu_options_set_backends(opts, "capi_ref");
    rnpu_options_set_fallback(opts, 0);
    rnpu_session* s = nullptr;
    EXPECT_EQ(rnpu_session_create_from_memory(b.data(), b.size(), opts, &s),
              RNPU_ERR_UNSUPPORTED_OP);
    rnpu_options_destroy(opts);
    node_err = last_error();
  }).join();
  EXPECT_EQ(node_err.node, "sm");
  EXPECT_EQ(node_err.op, "Softmax");
  mine = last_error();
  EXPECT_EQ(mine.status, RNPU_ERR_IO);
  EXPECT_EQ(mine.node, "");
}

// ---- errors from asynchronous runs ----

struct AsyncResult {
  std::mutex mu;
  int calls = 0;
  rnpu_status status = RNPU_OK;
  LastErr err;  // rnpu_last_error() read inside the callback
};

void on_done(rnpu_session*, rnpu_status st, void* user) {
  auto* r = static_cast<AsyncResult*>(user);
  LastErr e = last_error();
  std::lock_guard lock(r->mu);
  ++r->calls;
  r->status = st;
  r->err = e;
}

TEST_F(CApi, AsyncRunWithAnUnsetInputReportsStatusAndMessage) {
  rnpu_session* s = open(add_relu());
  ASSERT_NE(s, nullptr);
  AsyncResult r;
  ASSERT_EQ(rnpu_session_run_async(s, on_done, &r), RNPU_OK);  // the failure comes later
  // An unrelated failure on this thread meanwhile; the wait must replace it.
  rnpu_session* none = nullptr;
  ASSERT_EQ(rnpu_session_create_from_file("/nonexistent/m.onnx", nullptr, &none), RNPU_ERR_IO);
  EXPECT_EQ(rnpu_session_wait(s), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(r.status, RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(r.err.status, RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(r.err.message, "'x' is not set")) << r.err.message;
  // A failing wait is a failure on the waiting thread: its last error says why.
  LastErr w = last_error();
  EXPECT_EQ(w.status, RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(w.message, "'x' is not set")) << w.message;

  // Fixed, the next asynchronous run succeeds and wait says so.
  float x[6] = {-20, 0, 1, 2, 3, 4};
  int64_t dims[2] = {2, 3};
  ASSERT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, dims, 2), RNPU_OK);
  ASSERT_EQ(rnpu_session_run_async(s, on_done, &r), RNPU_OK);
  EXPECT_EQ(rnpu_session_wait(s), RNPU_OK);
  EXPECT_EQ(r.calls, 2);
  EXPECT_EQ(r.status, RNPU_OK);
  const void* data = nullptr;
  ASSERT_EQ(rnpu_session_get_output(s, 0, nullptr, &data, nullptr), RNPU_OK);
  EXPECT_EQ(static_cast<const float*>(data)[0], 0.f);
  EXPECT_EQ(static_cast<const float*>(data)[5], 14.f);
  EXPECT_EQ(rnpu_session_profile_count(s), 2u);
}

TEST_F(CApi, AsyncRunFailingInAnOpNamesTheNode) {
  // x [N] + k [3]: any N but 1 or 3 fails when the run resolves the shapes.
  ModelBuilder m;
  m.input("x", {-1}).init("k", {3}, {1.f, 2.f, 3.f}).output("y");
  m.node("Add", {"x", "k"}, {"y"}, "bad_add");
  rnpu_session* s = open(m.bytes());
  ASSERT_NE(s, nullptr);
  float x[2] = {1, 2};
  int64_t dims[1] = {2};
  ASSERT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, dims, 1), RNPU_OK);
  AsyncResult r;
  ASSERT_EQ(rnpu_session_run_async(s, on_done, &r), RNPU_OK);
  rnpu_session* none = nullptr;
  ASSERT_EQ(rnpu_session_create_from_file("/nonexistent/m.onnx", nullptr, &none), RNPU_ERR_IO);
  rnpu_status st = rnpu_session_wait(s);
  EXPECT_EQ(st, RNPU_ERR_SHAPE_MISMATCH);
  EXPECT_EQ(r.status, st);
  EXPECT_EQ(r.err.status, st);
  EXPECT_EQ(r.err.node, "bad_add");
  EXPECT_EQ(r.err.op, "Add");
  EXPECT_FALSE(r.err.reason.empty());
  LastErr w = last_error();
  EXPECT_EQ(w.status, st);
  EXPECT_EQ(w.node, "bad_add");
  // The synchronous run reports the same.
  EXPECT_EQ(rnpu_session_run(s), RNPU_ERR_SHAPE_MISMATCH);
  EXPECT_EQ(last_error().node, "bad_add");
  // And a good shape runs.
  float x3[3] = {1, 1, 1};
  int64_t d3[1] = {3};
  ASSERT_EQ(rnpu_session_set_input(s, 0, x3, sizeof x3, d3, 1), RNPU_OK);
  ASSERT_EQ(rnpu_session_run_async(s, nullptr, nullptr), RNPU_OK);  // no callback
  EXPECT_EQ(rnpu_session_wait(s), RNPU_OK);
  const void* data = nullptr;
  ASSERT_EQ(rnpu_session_get_output(s, 0, nullptr, &data, nullptr), RNPU_OK);
  EXPECT_EQ(static_cast<const float*>(data)[2], 4.f);
}

TEST_F(CApi, SecondAsyncRunWhilePendingIsRefused) {
  rnpu_session* s = open(add_relu(), "capi_block");
  ASSERT_NE(s, nullptr);
  float x[6] = {1, 2, 3, 4, 5, 6};
  int64_t dims[2] = {2, 3};
  ASSERT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, dims, 2), RNPU_OK);
  gate_->close();
  AsyncResult r;
  ASSERT_EQ(rnpu_session_run_async(s, on_done, &r), RNPU_OK);
  gate_->wait_until_running();
  EXPECT_EQ(rnpu_session_run_async(s, on_done, &r), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(last_error().message, "pending")) << last_error().message;
  gate_->open();
  EXPECT_EQ(rnpu_session_wait(s), RNPU_OK);
  EXPECT_EQ(r.calls, 1);  // the refused one never ran
  EXPECT_EQ(r.status, RNPU_OK);
  // wait without a pending run returns at once with the last run's status.
  EXPECT_EQ(rnpu_session_wait(s), RNPU_OK);
}

TEST_F(CApi, DestroyWaitsForThePendingRun) {
  rnpu_session* s = nullptr;
  {
    std::string b = add_relu();
    rnpu_options* o = nullptr;
    ASSERT_EQ(rnpu_options_create(&o), RNPU_OK);
    ASSERT_EQ(rnpu_options_set_backends(o, "capi_block"), RNPU_OK);
    // No fallback: with other backends enabled Add + Relu would fuse into a
    // form only they run.
    ASSERT_EQ(rnpu_options_set_fallback(o, 0), RNPU_OK);
    ASSERT_EQ(rnpu_session_create_from_memory(b.data(), b.size(), o, &s), RNPU_OK);
    rnpu_options_destroy(o);
  }
  float x[6] = {1, 2, 3, 4, 5, 6};
  int64_t dims[2] = {2, 3};
  ASSERT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, dims, 2), RNPU_OK);
  gate_->close();
  AsyncResult r;
  ASSERT_EQ(rnpu_session_run_async(s, on_done, &r), RNPU_OK);
  gate_->wait_until_running();
  std::thread opener([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    gate_->open();
  });
  rnpu_session_destroy(s);  // returns only after the run and its callback
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(r.status, RNPU_OK);
  opener.join();
}

// ---- errors from pipelined runs (submit / collect) ----

TEST_F(CApi, SubmitAndCollectReportFailures) {
  rnpu_session* s = open(add_relu());
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(rnpu_session_pipeline_depth(s), 1u);  // capi_ref does not queue runs
  EXPECT_EQ(rnpu_session_collect(s), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(last_error().message, "no run is in flight")) << last_error().message;
  EXPECT_EQ(rnpu_session_submit(s), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(last_error().message, "'x' is not set")) << last_error().message;

  float x[6] = {1, 2, 3, 4, 5, 6};
  int64_t dims[2] = {2, 3};
  ASSERT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, dims, 2), RNPU_OK);
  ASSERT_EQ(rnpu_session_submit(s), RNPU_OK) << last_error().message;
  EXPECT_EQ(rnpu_session_submit(s), RNPU_ERR_INVALID_ARGUMENT);  // depth 1: one in flight
  EXPECT_TRUE(contains(last_error().message, "in flight")) << last_error().message;
  ASSERT_EQ(rnpu_session_collect(s), RNPU_OK) << last_error().message;
  const void* data = nullptr;
  ASSERT_EQ(rnpu_session_get_output(s, 0, nullptr, &data, nullptr), RNPU_OK);
  EXPECT_EQ(static_cast<const float*>(data)[5], 16.f);
  EXPECT_EQ(rnpu_session_collect(s), RNPU_ERR_INVALID_ARGUMENT);  // nothing left

  // A run that fails in an op: the failure names the node.
  ModelBuilder m;
  m.input("x", {-1}).init("k", {3}, {1.f, 2.f, 3.f}).output("y");
  m.node("Add", {"x", "k"}, {"y"}, "bad_add");
  rnpu_session* t = open(m.bytes());
  ASSERT_NE(t, nullptr);
  float x2[2] = {1, 2};
  int64_t d2[1] = {2};
  ASSERT_EQ(rnpu_session_set_input(t, 0, x2, sizeof x2, d2, 1), RNPU_OK);
  rnpu_status st = rnpu_session_submit(t);
  if (st == RNPU_OK) st = rnpu_session_collect(t);
  EXPECT_EQ(st, RNPU_ERR_SHAPE_MISMATCH);
  LastErr e = last_error();
  EXPECT_EQ(e.status, RNPU_ERR_SHAPE_MISMATCH);
  EXPECT_EQ(e.node, "bad_add");
  EXPECT_EQ(rnpu_session_submit(nullptr), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_collect(nullptr), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_pipeline_depth(nullptr), 0u);
}

// ---- NULL sessions in the counting calls ----

TEST_F(CApi, CountsOfANullSessionAreZero) {
  EXPECT_EQ(rnpu_session_input_count(nullptr), 0u);
  EXPECT_EQ(rnpu_session_output_count(nullptr), 0u);
  EXPECT_EQ(rnpu_session_profile_count(nullptr), 0u);
  EXPECT_EQ(rnpu_session_partition_count(nullptr), 0u);
  EXPECT_EQ(rnpu_session_arena_bytes(nullptr), 0u);
  EXPECT_EQ(rnpu_session_programs_loaded(nullptr), 0u);
  EXPECT_EQ(rnpu_session_wait(nullptr), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_run_async(nullptr, nullptr, nullptr), RNPU_ERR_INVALID_ARGUMENT);
  rnpu_session_destroy(nullptr);
}

// ---- API version, input structs, ranks, per-session errors (API 1.0) ----

TEST_F(CApi, ApiVersionIsTheHeaders) {
  uint32_t major = 99, minor = 99;
  EXPECT_EQ(rnpu_api_version(&major, &minor), uint32_t(RNPU_API_VERSION));
  EXPECT_EQ(major, uint32_t(RNPU_API_VERSION_MAJOR));
  EXPECT_EQ(minor, uint32_t(RNPU_API_VERSION_MINOR));
  EXPECT_EQ(rnpu_api_version(nullptr, nullptr), RNPU_MAKE_API_VERSION(1, 2));
  EXPECT_EQ(RNPU_API_VERSION_MAJOR_OF(RNPU_MAKE_API_VERSION(3, 7)), 3u);
  EXPECT_EQ(RNPU_API_VERSION_MINOR_OF(RNPU_MAKE_API_VERSION(3, 7)), 7u);
  EXPECT_STREQ(rnpu_status_string(RNPU_ERR_UNSUPPORTED), "unsupported by this library version");
  EXPECT_STREQ(rnpu_status_string(rnpu_status(RNPU_ERR_UNSUPPORTED + 1)), "unknown status");
}

TEST_F(CApi, InputDescFollowsTheInputStructContract) {
  rnpu_session* s = open(add_relu());
  ASSERT_NE(s, nullptr);
  float x[6] = {-20, -1, 0, 1, 2, 3}, y[6] = {};
  int64_t dims[2] = {2, 3};
  // A newer caller's struct: today's plus appended fields.
  struct Newer {
    rnpu_input_desc d;
    uint64_t future[3];
  } n{};
  n.d.struct_size = sizeof n;
  n.d.data = x;
  n.d.size = sizeof x;
  n.d.dims = dims;
  n.d.rank = 2;
  n.d.dtype = RNPU_DTYPE_FLOAT32;
  ASSERT_EQ(rnpu_session_set_input_desc(s, 0, &n.d), RNPU_OK) << last_error().message;
  ASSERT_EQ(rnpu_session_set_output(s, 0, y, sizeof y), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(s), RNPU_OK) << last_error().message;
  EXPECT_EQ(y[0], 0.f);
  EXPECT_EQ(y[5], 13.f);
  // Any non-zero byte past this library's struct: a field it does not know.
  for (size_t byte : {size_t(0), size_t(7), sizeof n.future - 1}) {
    std::memset(n.future, 0, sizeof n.future);
    reinterpret_cast<unsigned char*>(n.future)[byte] = 1;
    EXPECT_EQ(rnpu_session_set_input_desc(s, 0, &n.d), RNPU_ERR_UNSUPPORTED) << byte;
    LastErr e = last_error();
    EXPECT_EQ(e.status, RNPU_ERR_UNSUPPORTED);
    EXPECT_TRUE(contains(e.message, "byte " + std::to_string(sizeof(rnpu_input_desc) + byte)))
        << e.message;
  }
  std::memset(n.future, 0, sizeof n.future);
  // The minimum (API 1.0's) works; below it, NULL and absurd sizes do not.
  n.d.struct_size = RNPU_INPUT_DESC_MIN_SIZE;
  EXPECT_EQ(rnpu_session_set_input_desc(s, 0, &n.d), RNPU_OK);
  for (size_t bad : {size_t(0), RNPU_INPUT_DESC_MIN_SIZE - 1, size_t(1) << 20}) {
    n.d.struct_size = bad;
    EXPECT_EQ(rnpu_session_set_input_desc(s, 0, &n.d), RNPU_ERR_INVALID_ARGUMENT) << bad;
  }
  n.d.struct_size = sizeof n;
  EXPECT_EQ(rnpu_session_set_input_desc(s, 0, nullptr), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_set_input_desc(nullptr, 0, &n.d), RNPU_ERR_INVALID_ARGUMENT);
  // The element type, when given, must be the input's.
  n.d.dtype = RNPU_DTYPE_INT64;
  EXPECT_EQ(rnpu_session_set_input_desc(s, 0, &n.d), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(last_error().message, "'x' is float32")) << last_error().message;
  n.d.dtype = RNPU_DTYPE_UNDEFINED;
  EXPECT_EQ(rnpu_session_set_input_desc(s, 0, &n.d), RNPU_OK);
  // What set_input checks, it checks too.
  EXPECT_EQ(rnpu_session_set_input_desc(s, 1, &n.d), RNPU_ERR_INVALID_ARGUMENT);
  n.d.size = sizeof x - 4;
  EXPECT_NE(rnpu_session_set_input_desc(s, 0, &n.d), RNPU_OK);
}

TEST_F(CApi, RanksUpToSixteenAndNeverTruncated) {
  // y = relu(x), x of rank 12 and of rank 16 (the IR's limit).
  for (size_t rank : {size_t(12), size_t(RNPU_MAX_RANK)}) {
    SCOPED_TRACE(rank);
    std::vector<int64_t> shape(rank, 1);
    shape[rank - 1] = 3;
    ModelBuilder m;
    m.input("x", shape).output("y");
    m.node("Relu", {"x"}, {"y"}, "relu");
    rnpu_session* s = open(m.bytes());
    ASSERT_NE(s, nullptr);
    rnpu_tensor_info t{};
    t.struct_size = sizeof t;
    ASSERT_EQ(rnpu_session_input_info(s, 0, &t), RNPU_OK);
    ASSERT_EQ(t.rank, rank);
    EXPECT_EQ(t.dims[rank - 1], 3);
    float x[3] = {-1, 0, 2};
    ASSERT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, shape.data(), uint32_t(rank)), RNPU_OK)
        << last_error().message;
    ASSERT_EQ(rnpu_session_run(s), RNPU_OK) << last_error().message;
    std::memset(&t, 0, sizeof t);
    t.struct_size = sizeof t;
    const void* data = nullptr;
    ASSERT_EQ(rnpu_session_get_output(s, 0, &t, &data, nullptr), RNPU_OK);
    EXPECT_EQ(t.rank, rank);
    EXPECT_EQ(static_cast<const float*>(data)[2], 2.f);
    // An API 0.1 struct (8 dims) cannot hold it: an error, nothing written.
    Padded<rnpu_tensor_info> old;
    std::memset(&old, 0xab, sizeof old);
    old.s.struct_size = RNPU_TENSOR_INFO_MIN_SIZE;
    Padded<rnpu_tensor_info> before = old;
    for (rnpu_status st :
         {rnpu_session_input_info(s, 0, &old.s), rnpu_session_output_info(s, 0, &old.s),
          rnpu_session_get_output(s, 0, &old.s, nullptr, nullptr)}) {
      EXPECT_EQ(st, RNPU_ERR_INVALID_ARGUMENT);
      EXPECT_TRUE(contains(last_error().message, "rank " + std::to_string(rank)))
          << last_error().message;
    }
    EXPECT_EQ(std::memcmp(&old, &before, sizeof old), 0);
  }
  // Above the limit: set_input refuses the rank.
  rnpu_session* s = open(add_relu());
  ASSERT_NE(s, nullptr);
  std::vector<int64_t> dims(RNPU_MAX_RANK + 1, 1);
  float x[6] = {};
  EXPECT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, dims.data(), RNPU_MAX_RANK + 1),
            RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(last_error().message, "RNPU_MAX_RANK (16)")) << last_error().message;
}

LastErr session_error(const rnpu_session* s) {
  rnpu_error_info e{};
  e.struct_size = sizeof e;
  rnpu_status st = rnpu_session_last_error(s, &e);
  EXPECT_EQ(st, e.status);
  return {st,
          e.message ? e.message : "",
          e.node ? e.node : "",
          e.op ? e.op : "",
          e.reason ? e.reason : "",
          e.backend_hint ? e.backend_hint : ""};
}

struct SessionErrorInCallback {
  std::mutex mu;
  rnpu_status status = RNPU_OK;
  LastErr err;
};

TEST_F(CApi, SessionLastErrorKeepsEachSessionsFailures) {
  // x [N] + k [3]: N = 2 fails in the op when the run resolves the shapes.
  ModelBuilder m;
  m.input("x", {-1}).init("k", {3}, {1.f, 2.f, 3.f}).output("y");
  m.node("Add", {"x", "k"}, {"y"}, "bad_add");
  rnpu_session* a = open(m.bytes());
  rnpu_session* b = open(add_relu());
  ASSERT_TRUE(a && b);
  LastErr none = session_error(a);
  EXPECT_EQ(none.status, RNPU_OK);
  EXPECT_EQ(none.message, "");
  EXPECT_EQ(rnpu_session_last_error(a, nullptr), RNPU_OK);

  float x[2] = {1, 2};
  int64_t dims[1] = {2};
  ASSERT_EQ(rnpu_session_set_input(a, 0, x, sizeof x, dims, 1), RNPU_OK);
  SessionErrorInCallback cb;
  auto on_done = [](rnpu_session* s, rnpu_status st, void* user) {
    auto* r = static_cast<SessionErrorInCallback*>(user);
    LastErr e = session_error(s);
    std::lock_guard lock(r->mu);
    r->status = st;
    r->err = e;
  };
  ASSERT_EQ(rnpu_session_run_async(a, on_done, &cb), RNPU_OK);
  // b fails on this thread meanwhile (synchronously): b's error, not a's.
  EXPECT_EQ(rnpu_session_run(b), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_wait(a), RNPU_ERR_SHAPE_MISMATCH);
  // The callback, on the worker thread, saw the run's details on the session.
  EXPECT_EQ(cb.status, RNPU_ERR_SHAPE_MISMATCH);
  EXPECT_EQ(cb.err.status, RNPU_ERR_SHAPE_MISMATCH);
  EXPECT_EQ(cb.err.node, "bad_add");

  // Later failures on this thread elsewhere do not touch a's error.
  EXPECT_EQ(rnpu_options_set_threads(nullptr, 1), RNPU_ERR_INVALID_ARGUMENT);
  LastErr ea = session_error(a);
  EXPECT_EQ(ea.status, RNPU_ERR_SHAPE_MISMATCH);
  EXPECT_EQ(ea.node, "bad_add");
  EXPECT_EQ(ea.op, "Add");
  EXPECT_FALSE(ea.reason.empty());
  LastErr eb = session_error(b);
  EXPECT_EQ(eb.status, RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(eb.message, "'x' is not set")) << eb.message;
  EXPECT_EQ(last_error().status, RNPU_ERR_INVALID_ARGUMENT);  // the thread's: options
  EXPECT_TRUE(contains(last_error().message, "options")) << last_error().message;

  // Another thread's failure on a session is the session's too; a success
  // leaves it in place.
  std::thread([&] {
    size_t i;
    EXPECT_EQ(rnpu_session_find_input(b, "zzz", &i), RNPU_ERR_INVALID_ARGUMENT);
  }).join();
  EXPECT_TRUE(contains(session_error(b).message, "zzz")) << session_error(b).message;
  float xb[6] = {};
  int64_t db[2] = {2, 3};
  ASSERT_EQ(rnpu_session_set_input(b, 0, xb, sizeof xb, db, 2), RNPU_OK);
  ASSERT_EQ(rnpu_session_run(b), RNPU_OK);
  EXPECT_TRUE(contains(session_error(b).message, "zzz"));

  // Struct failures count too; the strings are the caller's copy.
  rnpu_tensor_info t{};
  t.struct_size = 1;
  EXPECT_EQ(rnpu_session_input_info(b, 0, &t), RNPU_ERR_INVALID_ARGUMENT);
  rnpu_error_info e{};
  e.struct_size = sizeof e;
  ASSERT_EQ(rnpu_session_last_error(b, &e), RNPU_ERR_INVALID_ARGUMENT);
  std::string copy = e.message;
  EXPECT_TRUE(contains(copy, "struct_size 1")) << copy;
  size_t i;
  EXPECT_EQ(rnpu_session_find_output(b, "other", &i), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(e.message), copy);  // until this thread's next session_last_error

  EXPECT_EQ(rnpu_session_last_error(nullptr, &e), RNPU_ERR_INVALID_ARGUMENT);
  // Too small an info: the status alone.
  e.struct_size = RNPU_ERROR_INFO_MIN_SIZE - 1;
  e.message = nullptr;
  EXPECT_EQ(rnpu_session_last_error(a, &e), RNPU_ERR_SHAPE_MISMATCH);
  EXPECT_EQ(e.message, nullptr);
}

}  // namespace
}  // namespace rnpu
