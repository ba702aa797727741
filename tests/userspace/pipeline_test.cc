// Pipelined runs (Session::submit/collect, rnpu_session_submit/collect):
// a device-like backend that queues runs lets run N+1 start before run N
// is collected, each collect() gives the oldest run's results, and models
// that cannot pipeline say so instead of mixing up results.
#include <gtest/gtest.h>

#include <cstring>
#include <deque>

#include "backend/backend.h"
#include "rnpu/rnpu.h"
#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"
#include "support/test_backend.h"

namespace rnpu {
namespace {

using test::ModelBuilder;

// "testqueue": runs Neg like a device with two job slots: run() takes a
// copy of the input (as a DMA to device memory would), read_outputs()
// completes the oldest queued run.
class QueueBackend : public Backend {
 public:
  struct Prog : Program {
    ir::ValueId in = ir::kNoValue, out = ir::kNoValue;
    std::deque<std::vector<float>> queued;
  };
  std::string name() const override { return "testqueue"; }
  bool available() const override { return true; }
  std::string description() const override { return "queueing test backend"; }
  Support supports(const ir::Graph& g, const ir::Node& n) const override {
    if (n.op != "Neg" || g.value(n.inputs[0]).dtype != DataType::kFloat32)
      return Support::no("only float Neg");
    return Support::yes();
  }
  std::unique_ptr<Program> compile(const ir::Graph& sub, const CompileOptions&) override {
    auto p = std::make_unique<Prog>();
    p->in = sub.inputs.at(0);
    p->out = sub.outputs.at(0);
    return p;
  }
  size_t max_in_flight(const Program&) const override { return 2; }
  void run(Program& base, RunContext& ctx) override {
    auto& p = static_cast<Prog&>(base);
    if (p.queued.size() == 2) throw Error(ErrorCode::kInvalidArgument, "testqueue: queue full");
    const HostTensor& x = ctx.tensor(p.in);
    const auto* f = static_cast<const float*>(x.data);
    p.queued.emplace_back(f, f + x.size / 4);
  }
  void read_outputs(Program& base, RunContext& ctx) override {
    auto& p = static_cast<Prog&>(base);
    std::vector<float> x = std::move(p.queued.front());
    p.queued.pop_front();
    const HostTensor& xt = ctx.tensor(p.in);
    auto* y = static_cast<float*>(ctx.allocate(p.out, DataType::kFloat32, xt.shape));
    for (size_t i = 0; i < x.size(); ++i) y[i] = -x[i];
  }
};

void register_backends() {
  static bool done = [] {
    BackendRegistry::instance().add("testqueue", 4,
                                    [] { return std::make_unique<QueueBackend>(); });
    test::register_test_backend(
        std::make_unique<test::TestBackend>("testref_pipe", std::set<std::string>{"Relu"}), 60);
    return true;
  }();
  (void)done;
}

// x -> Relu (testref_pipe) -> Neg (testqueue) -> y, or the other order.
std::string model(bool queue_last) {
  ModelBuilder m;
  m.input("x", {4}).output("y");
  if (queue_last) {
    m.node("Relu", {"x"}, {"r"}, "relu");
    m.node("Neg", {"r"}, {"y"}, "neg");
  } else {
    m.node("Neg", {"x"}, {"r"}, "neg");
    m.node("Relu", {"r"}, {"y"}, "relu");
  }
  return m.bytes();
}

Session open(bool queue_last) {
  register_backends();
  Options o;
  o.backends = {"testqueue", "testref_pipe"};
  o.allow_fallback = false;
  std::string b = model(queue_last);
  return Session::load_memory(b.data(), b.size(), o);
}

std::vector<float> out(const Session& s) {
  TensorView v = s.output(0);
  const auto* f = static_cast<const float*>(v.data);
  return {f, f + v.size / 4};
}

TEST(Pipeline, RunsOverlapAndCollectInOrder) {
  Session s = open(true);
  ASSERT_EQ(s.pipeline_depth(), 2u);
  const int64_t shape[] = {4};
  float x[4] = {1, -2, 3, 4};
  s.set_input(0, x, sizeof x, shape);
  s.submit();
  // The input buffer is free again as soon as submit() returns.
  x[0] = 10;
  x[2] = 30;
  s.submit();
  EXPECT_THROW(s.submit(), Error);  // a third would exceed the depth
  s.collect();
  EXPECT_EQ(out(s), (std::vector<float>{-1, 0, -3, -4}));
  x[3] = 40;
  s.submit();  // one slot is free again
  s.collect();
  EXPECT_EQ(out(s), (std::vector<float>{-10, 0, -30, -4}));
  s.collect();
  EXPECT_EQ(out(s), (std::vector<float>{-10, 0, -30, -40}));
  try {
    s.collect();
    FAIL() << "collect with nothing in flight";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  }
  s.run();  // plain runs still work, and equal submit + collect
  EXPECT_EQ(out(s), (std::vector<float>{-10, 0, -30, -40}));
}

TEST(Pipeline, ModelsThatCannotPipelineSaySo) {
  Session s = open(false);  // the last partition is a host backend
  EXPECT_EQ(s.pipeline_depth(), 1u);
  const int64_t shape[] = {4};
  float x[4] = {1, -2, 3, -4};
  s.set_input(0, x, sizeof x, shape);
  s.submit();
  try {
    s.submit();
    FAIL() << "second submit on a depth-1 model";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("cannot pipeline"), std::string::npos) << e.what();
  }
  s.collect();
  EXPECT_EQ(out(s), (std::vector<float>{0, 2, 0, 4}));
}

TEST(Pipeline, ShapeChangesWaitForTheRunsInFlight) {
  Session s = open(true);
  const int64_t shape[] = {4};
  float x[4] = {1, 2, 3, 4};
  s.set_input(0, x, sizeof x, shape);
  s.submit();
  s.collect();
  s.submit();
  float y[4] = {5, 6, 7, 8};
  s.set_input(0, y, sizeof y, shape);  // same shape: fine
  s.submit();
  s.collect();
  s.collect();
  EXPECT_EQ(out(s), (std::vector<float>{-5, -6, -7, -8}));
}

TEST(Pipeline, CApi) {
  register_backends();
  rnpu_options* o = nullptr;
  ASSERT_EQ(rnpu_options_create(&o), RNPU_OK);
  ASSERT_EQ(rnpu_options_set_backends(o, "testqueue,testref_pipe"), RNPU_OK);
  ASSERT_EQ(rnpu_options_set_fallback(o, 0), RNPU_OK);
  std::string b = model(true);
  rnpu_session* s = nullptr;
  ASSERT_EQ(rnpu_session_create_from_memory(b.data(), b.size(), o, &s), RNPU_OK);
  rnpu_options_destroy(o);
  EXPECT_EQ(rnpu_session_pipeline_depth(s), 2u);
  EXPECT_EQ(rnpu_session_collect(s), RNPU_ERR_INVALID_ARGUMENT);
  int64_t dims[] = {4};
  float x[4] = {1, 2, 3, 4};
  ASSERT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, dims, 1), RNPU_OK);
  ASSERT_EQ(rnpu_session_submit(s), RNPU_OK);
  x[1] = 20;
  ASSERT_EQ(rnpu_session_submit(s), RNPU_OK);
  const void* data = nullptr;
  size_t size = 0;
  rnpu_tensor_info info;
  std::memset(&info, 0, sizeof info);
  info.struct_size = sizeof info;
  ASSERT_EQ(rnpu_session_collect(s), RNPU_OK);
  ASSERT_EQ(rnpu_session_get_output(s, 0, &info, &data, &size), RNPU_OK);
  EXPECT_EQ(static_cast<const float*>(data)[1], -2.f);
  ASSERT_EQ(rnpu_session_collect(s), RNPU_OK);
  ASSERT_EQ(rnpu_session_get_output(s, 0, &info, &data, &size), RNPU_OK);
  EXPECT_EQ(static_cast<const float*>(data)[1], -20.f);
  rnpu_session_destroy(s);
}

}  // namespace
}  // namespace rnpu
