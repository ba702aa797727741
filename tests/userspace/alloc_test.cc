// The executor allocates nothing per run for statically shaped graphs:
// the arena is planned once (tensors and the backends' working memory)
// and caller buffers are used in place.
#include <execinfo.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "backends/cpu/fast/fast_compile.h"
#include "backends/cpu/fast/fast_program.h"
#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"
#include "support/test_backend.h"

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
}  // namespace

// Counting replacements of the global allocation functions for this binary.
void* operator new(std::size_t n) {
  if (counting) {
    ++allocations;
    if (getenv("RNPU_ALLOC_TRACE")) {
      void* f[16];
      backtrace_symbols_fd(f, backtrace(f, 16), 2);
    }
  }
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace rnpu {
namespace {

TEST(Executor, SteadyStateRunsDoNotAllocate) {
  test::register_test_backend(std::make_unique<test::TestBackend>("testref_alloc"), 7);
  test::ModelBuilder m;
  m.input("x", {4, 8}).init("k", {}, {2.f}).output("y").output("z");
  m.node("Mul", {"x", "k"}, {"a"});
  m.node("Relu", {"a"}, {"b"});
  m.node("Add", {"b", "x"}, {"y"});
  m.node("Neg", {"y"}, {"z"});
  std::string bytes = m.bytes();
  Options o;
  o.backends = {"testref_alloc"};
  o.allow_fallback = false;
  Session s = Session::load_memory(bytes.data(), bytes.size(), o);
  std::vector<float> x(32, 1.f), z(32);
  int64_t shape[2] = {4, 8};
  s.set_input(0, x.data(), x.size() * 4, shape);
  s.set_output(1, z.data(), z.size() * 4);
  s.run();  // first run plans the arena
  counting = true;
  for (int i = 0; i < 20; ++i) s.run();
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
  EXPECT_EQ(z[0], -3.f);
  BackendRegistry::instance().remove("testref_alloc");
}

TEST(Executor, SteadyStateRunsWithWorkspacesDoNotAllocate) {
  auto b = std::make_unique<test::TestBackend>("testref_alloc_ws");
  b->workspace = 4000;
  test::register_test_backend(std::move(b), 7);
  test::ModelBuilder m;
  m.input("x", {4, 8}).output("y");
  m.node("Neg", {"x"}, {"a"});
  m.node("Relu", {"a"}, {"y"});
  std::string bytes = m.bytes();
  Options o;
  o.backends = {"testref_alloc_ws"};
  o.allow_fallback = false;
  Session s = Session::load_memory(bytes.data(), bytes.size(), o);
  std::vector<float> x(32, -1.f), y(32);
  int64_t shape[2] = {4, 8};
  s.set_input(0, x.data(), x.size() * 4, shape);
  s.set_output(0, y.data(), y.size() * 4);
  s.run();
  EXPECT_EQ(s.arena_bytes(), 4032u + 128u);  // the workspace slot and a
  allocations = 0;
  counting = true;
  for (int i = 0; i < 20; ++i) s.run();
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
  EXPECT_EQ(y[0], 1.f);
  BackendRegistry::instance().remove("testref_alloc_ws");
}

// The cpu fast path (XNNPACK convolution between NHWC copies it keeps in
// its working memory) runs from the session's arena: no allocation per
// run, and no memory of its own.
TEST(Executor, SteadyStateCpuFastPathRunsDoNotAllocate) {
  std::string why = cpu::fast::fast_path_unavailable();
  if (!why.empty()) GTEST_SKIP() << "cpu fast path unavailable: " << why;
  test::ModelBuilder m;
  std::vector<float> w(8 * 3 * 3 * 3, 0.125f);
  m.input("x", {1, 3, 16, 16}).init("w", {8, 3, 3, 3}, w).output("y");
  test::attr_ints(m.node("Conv", {"x", "w"}, {"c"}), "pads", {1, 1, 1, 1});
  m.node("Relu", {"c"}, {"y"});
  std::string bytes = m.bytes();
  Options o;
  o.backends = {"cpu"};
  o.allow_fallback = false;
  o.num_threads = 1;
  Session s = Session::load_memory(bytes.data(), bytes.size(), o);
  std::vector<float> x(3 * 16 * 16, 1.f), y(8 * 16 * 16);
  int64_t shape[4] = {1, 3, 16, 16};
  s.set_input(0, x.data(), x.size() * 4, shape);
  s.set_output(0, y.data(), y.size() * 4);
  uint64_t own = cpu::fast::own_workspace_allocations();
  s.run();
  EXPECT_GT(s.arena_bytes(), 0u);
  allocations = 0;
  counting = true;
  for (int i = 0; i < 20; ++i) s.run();
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
  EXPECT_EQ(cpu::fast::own_workspace_allocations(), own);
  EXPECT_FLOAT_EQ(y[8 * 16 * 16 / 2 + 16 + 1], 27 * 0.125f);  // an interior pixel
}

}  // namespace
}  // namespace rnpu
