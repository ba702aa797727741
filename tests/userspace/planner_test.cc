// Static memory planner: reuse across disjoint lifetimes, alignment, peak.
#include <gtest/gtest.h>

#include <random>

#include "plan/memory_planner.h"

namespace rnpu::plan {
namespace {

TEST(MemoryPlanner, ChainReusesMemory) {
  // a -> b -> c -> d: each tensor dies after the next is produced.
  std::vector<Interval> t = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  MemoryPlan p = plan_memory(t, 64);
  EXPECT_TRUE(plan_is_valid(t, p));
  EXPECT_EQ(p.peak, 2 * 1024u);  // two live at a time, each padded to 1024
  EXPECT_EQ(p.naive, 4 * 1024u);
  for (size_t o : p.offsets) EXPECT_EQ(o % 64, 0u);
}

TEST(MemoryPlanner, OverlappingLifetimesNeverShare) {
  std::vector<Interval> t = {{100, 0, 5}, {200, 1, 3}, {300, 2, 4}};
  MemoryPlan p = plan_memory(t, 64);
  EXPECT_TRUE(plan_is_valid(t, p));
  EXPECT_GE(p.peak, 128u + 256u + 320u);
}

TEST(MemoryPlanner, RandomPlansAreValidAndNoWorseThanNaive) {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<Interval> t;
    int n = 1 + int(rng() % 40);
    for (int i = 0; i < n; ++i) {
      int a = int(rng() % 50), b = a + int(rng() % 10);
      t.push_back({size_t(rng() % 5000), a, b});
    }
    MemoryPlan p = plan_memory(t, 64);
    ASSERT_TRUE(plan_is_valid(t, p)) << "round " << round;
    EXPECT_LE(p.peak, p.naive);
  }
}

TEST(MemoryPlanner, EmptyAndZeroSized) {
  EXPECT_EQ(plan_memory({}, 64).peak, 0u);
  std::vector<Interval> t = {{0, 0, 0}};
  MemoryPlan p = plan_memory(t, 64);
  EXPECT_TRUE(plan_is_valid(t, p));
}

}  // namespace
}  // namespace rnpu::plan
