// The executor allocates nothing per run for statically shaped graphs:
// the arena is planned once and caller buffers are used in place.
#include <execinfo.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

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

}  // namespace
}  // namespace rnpu
