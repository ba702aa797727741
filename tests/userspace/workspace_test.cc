// Backends' working memory (Program::workspace_bytes) lives in the
// executor's arena beside the intermediate tensors: Session::arena_bytes()
// counts it, disjoint partitions share it, it never overlaps a live tensor,
// and the cpu backend's fast path and reference programs run from it
// instead of memory of their own.
#include <gtest/gtest.h>

#include <vector>

#include "backends/cpu/fast/fast_compile.h"
#include "backends/cpu/fast/fast_program.h"
#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"
#include "support/test_backend.h"

namespace rnpu {
namespace {

using test::ModelBuilder;

// Backend names are process-wide: each test registers its own and
// removes it at the end.
struct Registered {
  explicit Registered(test::TestBackend* b) : name(b->name()) {}
  ~Registered() { BackendRegistry::instance().remove(name); }
  std::string name;
};

test::TestBackend* with_workspace(const std::string& name, size_t bytes, int rank,
                                  std::set<std::string> ops = {}) {
  auto b = std::make_unique<test::TestBackend>(name, std::move(ops));
  b->workspace = bytes;
  return test::register_test_backend(std::move(b), rank);
}

// x -> Neg -> a -> Neg -> b -> Neg -> y, [4, 16] float32 (256 bytes each),
// y in the caller's buffer: the intermediates alone need 2 x 256 bytes.
std::string neg_chain() {
  ModelBuilder m;
  m.input("x", {4, 16}).output("y");
  m.node("Neg", {"x"}, {"a"}, "n1");
  m.node("Neg", {"a"}, {"b"}, "n2");
  m.node("Neg", {"b"}, {"y"}, "n3");
  return m.bytes();
}

std::vector<float> run(Session& s, float scale = 1) {
  std::vector<float> x(64), y(64, 0.f);
  for (int i = 0; i < 64; ++i) x[size_t(i)] = scale * float(i + 1);
  int64_t dims[2] = {4, 16};
  s.set_input(0, x.data(), x.size() * 4, dims);
  s.set_output(0, y.data(), y.size() * 4);
  s.run();
  return y;
}

Options only(std::vector<std::string> backends) {
  Options o;
  o.backends = std::move(backends);
  o.allow_fallback = false;
  return o;
}

TEST(Workspace, ArenaBytesCountsTheProgramsWorkingMemory) {
  Registered plain(test::register_test_backend(std::make_unique<test::TestBackend>("ws_none"), 8));
  Registered ws(with_workspace("ws_1000", 1000, 8));
  std::string b = neg_chain();
  Session s0 = Session::load_memory(b.data(), b.size(), only({"ws_none"}));
  Session s1 = Session::load_memory(b.data(), b.size(), only({"ws_1000"}));
  std::vector<float> y0 = run(s0), y1 = run(s1);
  EXPECT_EQ(s0.arena_bytes(), 512u);  // intermediates only
  // One partition, its workspace (1000 bytes, one 1024-byte slot) live
  // over all three steps beside a and b.
  EXPECT_EQ(s1.arena_bytes(), 512u + 1024u);
  EXPECT_EQ(y1, y0);  // the scribbled workspace overlaps no live tensor
  EXPECT_EQ(y1[4], -5.f);
  EXPECT_EQ(run(s1, 2)[4], -10.f);  // planned once, reused
  EXPECT_EQ(s1.arena_bytes(), 512u + 1024u);
}

TEST(Workspace, PartitionsThatNeverRunTogetherShareIt) {
  // Neg on one backend, Relu on another: three partitions, one step each,
  // each stating 1000 bytes.  Their workspaces are never live together, so
  // they share one slot; at step 1 it sits beside a and b.
  Registered neg(with_workspace("ws_neg", 1000, 8, {"Neg"}));
  Registered relu(with_workspace("ws_relu", 1000, 9, {"Relu"}));
  ModelBuilder m;
  m.input("x", {4, 16}).output("y");
  m.node("Neg", {"x"}, {"a"}, "n1");
  m.node("Relu", {"a"}, {"b"}, "r");
  m.node("Neg", {"b"}, {"y"}, "n2");
  std::string b = m.bytes();
  Session s = Session::load_memory(b.data(), b.size(), only({"ws_neg", "ws_relu"}));
  std::vector<std::string> where;
  for (const PartitionDecision& d : s.partition_report()) where.push_back(d.backend);
  EXPECT_EQ(where, (std::vector<std::string>{"ws_neg", "ws_relu", "ws_neg"}));
  std::vector<float> y = run(s, -1);
  EXPECT_EQ(y[0], -1.f);  // Neg(Relu(Neg(-1)))
  EXPECT_EQ(s.arena_bytes(), 1024u + 2 * 256u);
}

// A backend whose programs pipeline cannot use the arena between runs.
class PipeliningWorkspace : public test::TestBackend {
 public:
  PipeliningWorkspace() : TestBackend("ws_pipe") { workspace = 64; }
  size_t max_in_flight(const Program&) const override { return 2; }
};

TEST(Workspace, PipeliningProgramsMayNotStateOne) {
  Registered r(test::register_test_backend(std::make_unique<PipeliningWorkspace>(), 8));
  std::string b = neg_chain();
  Session s = Session::load_memory(b.data(), b.size(), only({"ws_pipe"}));
  try {
    run(s);
    FAIL() << "a pipelining program's workspace was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInternal);
    EXPECT_NE(std::string(e.what()).find("pipelines"), std::string::npos) << e.what();
  }
}

// x [1, 3, 16, 16] -> Conv (8 filters 3x3, same padding) -> y, y bound:
// no intermediate the runtime sees, but the fast path's NHWC copies of x
// and y are working memory.
std::string conv_model() {
  ModelBuilder m;
  std::vector<float> w(8 * 3 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = float(int(i % 7) - 3) / 8;
  m.input("x", {1, 3, 16, 16}).init("w", {8, 3, 3, 3}, w).output("y");
  auto& n = m.node("Conv", {"x", "w"}, {"y"}, "conv");
  test::attr_ints(n, "pads", {1, 1, 1, 1});
  return m.bytes();
}

std::vector<float> run_conv(Session& s) {
  std::vector<float> x(3 * 16 * 16), y(8 * 16 * 16, 0.f);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(int(i % 11) - 5) / 4;
  int64_t dims[4] = {1, 3, 16, 16};
  s.set_input(0, x.data(), x.size() * 4, dims);
  s.set_output(0, y.data(), y.size() * 4);
  s.run();
  return y;
}

TEST(Workspace, CpuFastPathScratchIsInTheArena) {
  std::string why = cpu::fast::fast_path_unavailable();
  if (!why.empty()) GTEST_SKIP() << "cpu fast path unavailable: " << why;
  std::string b = conv_model();
  Options ref = only({"cpu"});
  ref.reference_kernels = true;
  Session r = Session::load_memory(b.data(), b.size(), ref);
  std::vector<float> want = run_conv(r);
  EXPECT_EQ(r.arena_bytes(), 0u);  // reference kernels: no working memory planned
  Session s = Session::load_memory(b.data(), b.size(), only({"cpu"}));
  uint64_t own = cpu::fast::own_workspace_allocations();  // after loading (constant folding)
  for (int i = 0; i < 3; ++i) {
    std::vector<float> got = run_conv(s);
    ASSERT_EQ(got.size(), want.size());
    for (size_t k = 0; k < got.size(); ++k) ASSERT_NEAR(got[k], want[k], 1e-4f) << k;
  }
  // The NHWC copies of x and y (3 and 8 channels of 16x16 floats) are live
  // together while the convolution runs.
  EXPECT_GE(s.arena_bytes(), (3 + 8) * 16 * 16 * 4u);
  EXPECT_EQ(cpu::fast::own_workspace_allocations(), own) << "the fast program used memory "
                                                            "of its own, not the arena";
}

TEST(Workspace, CpuReferenceIntermediatesAreInTheArena) {
  // Reference kernels: the cpu backend keeps its partitions' values to
  // itself, and lays a and b out in its program's working memory.
  std::string b = neg_chain();
  Options ref = only({"cpu"});
  ref.reference_kernels = true;
  Session s = Session::load_memory(b.data(), b.size(), ref);
  std::vector<float> y = run(s);
  EXPECT_EQ(y[4], -5.f);
  EXPECT_EQ(s.arena_bytes(), 512u);
  EXPECT_EQ(run(s, 3)[4], -15.f);
}

}  // namespace
}  // namespace rnpu
