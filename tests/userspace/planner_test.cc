// Static memory planner: reuse across disjoint lifetimes, alignment, peak,
// fixed blocks, capacity limits, placement order and fit, and the checker.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
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

TEST(MemoryPlanner, FixedBlocksAreAvoidedWhileAlive) {
  PlanOptions o;
  o.fixed = {{{256, 0, 2}, 0}};  // [0, 256) reserved over steps 0..2
  std::vector<Interval> t = {{100, 1, 1}, {100, 3, 4}};
  MemoryPlan p = plan_memory(t, o);
  ASSERT_TRUE(p.ok);
  EXPECT_TRUE(plan_is_valid(t, p, o));
  EXPECT_GE(p.offsets[0], 256u);  // alive with the fixed block
  EXPECT_EQ(p.offsets[1], 0u);    // after it: its bytes are free again
  EXPECT_EQ(p.peak, 256u + 128u);
}

TEST(MemoryPlanner, UnalignedFixedBlockPushesToTheNextAlignedOffset) {
  PlanOptions o;
  o.fixed = {{{10, 0, 0}, 30}};  // [30, 40) alive at step 0
  std::vector<Interval> t = {{8, 0, 0}};
  MemoryPlan p = plan_memory(t, o);
  ASSERT_TRUE(p.ok);
  EXPECT_TRUE(plan_is_valid(t, p, o));
  EXPECT_EQ(p.offsets[0], 64u);  // the gap [0, 30) is too small for a 64-byte slot
}

TEST(MemoryPlanner, CapacityFailureNamesTheBlock) {
  PlanOptions o;
  o.capacity = 1000;
  o.order = PlanOptions::Order::kGiven;
  std::vector<Interval> t = {{512, 0, 1}, {400, 1, 2}, {200, 1, 1}};
  MemoryPlan p = plan_memory(t, o);
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.failed, 2u);  // 512 + 448 placed, the third passes 1000
  EXPECT_FALSE(plan_is_valid(t, p, o));
  // Without the third block the same capacity holds.
  t.pop_back();
  p = plan_memory(t, o);
  EXPECT_TRUE(p.ok);
  EXPECT_TRUE(plan_is_valid(t, p, o));
  EXPECT_LE(p.offsets[1] + t[1].size, 1000u);
}

TEST(MemoryPlanner, CapacityCountsTheBlockNotItsAlignmentTail) {
  PlanOptions o;
  o.capacity = 100;
  std::vector<Interval> t = {{100, 0, 0}};
  EXPECT_TRUE(plan_memory(t, o).ok);  // one 100-byte block fills a 100-byte window
  t[0].size = 101;
  EXPECT_FALSE(plan_memory(t, o).ok);
}

TEST(MemoryPlanner, PlacerRefusesWithoutChangingItsState) {
  PlanOptions o;
  o.capacity = 128;
  Placer pl(o);
  std::optional<size_t> a = pl.place({64, 0, 5});
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a, 0u);
  EXPECT_FALSE(pl.place({100, 1, 2}).has_value());
  EXPECT_EQ(pl.peak(), 64u);
  std::optional<size_t> b = pl.place({64, 1, 2});
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*b, 64u);
  std::optional<size_t> c = pl.place({128, 6, 7});  // everything else is dead by then
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, 0u);
}

TEST(MemoryPlanner, FirstFitTakesTheLowestGapBestFitTheTightest) {
  // Live at step 1: [0,64) [192,256) [320,384) leave gaps of 128 at 64 and
  // 64 at 256 (and the end).  A 64-byte block: first fit 64, best fit 256.
  std::vector<FixedBlock> busy = {{{64, 0, 2}, 0}, {{64, 0, 2}, 192}, {{64, 0, 2}, 320}};
  PlanOptions first;
  first.fit = PlanOptions::Fit::kFirst;
  first.fixed = busy;
  PlanOptions best = first;
  best.fit = PlanOptions::Fit::kBest;
  std::vector<Interval> t = {{64, 1, 1}};
  EXPECT_EQ(plan_memory(t, first).offsets[0], 64u);
  EXPECT_EQ(plan_memory(t, best).offsets[0], 256u);
}

TEST(MemoryPlanner, GivenOrderIsKept) {
  // Largest first puts the big block at 0; the given order puts it last.
  std::vector<Interval> t = {{64, 0, 1}, {640, 0, 1}};
  PlanOptions o;
  EXPECT_EQ(plan_memory(t, o).offsets[1], 0u);
  o.order = PlanOptions::Order::kGiven;
  MemoryPlan p = plan_memory(t, o);
  EXPECT_EQ(p.offsets[0], 0u);
  EXPECT_EQ(p.offsets[1], 64u);
}

TEST(MemoryPlanner, PadSeparatesBlocks) {
  PlanOptions o;
  o.pad = 16;
  std::vector<Interval> t = {{64, 0, 0}, {64, 0, 0}};
  MemoryPlan p = plan_memory(t, o);
  EXPECT_TRUE(plan_is_valid(t, p, o));
  EXPECT_EQ(p.peak, 2 * 128u);  // 64 + 16 rounds up to 128
}

TEST(MemoryPlanner, CheckerRejectsBadPlans) {
  std::vector<Interval> t = {{100, 0, 2}, {100, 1, 3}};
  MemoryPlan p = plan_memory(t, 64);
  ASSERT_TRUE(plan_is_valid(t, p));
  MemoryPlan overlap = p;
  overlap.offsets[1] = overlap.offsets[0] + 50;
  EXPECT_FALSE(plan_is_valid(t, overlap));
  MemoryPlan short_peak = p;
  short_peak.peak = 150;
  EXPECT_FALSE(plan_is_valid(t, short_peak));
  PlanOptions o;  // 64-byte alignment
  MemoryPlan misaligned = p;
  misaligned.offsets[0] = 8;
  misaligned.peak += 64;
  EXPECT_TRUE(plan_is_valid({t[0]}, {{8}, 200, 0, true, 0}));  // unaligned is fine unchecked
  EXPECT_FALSE(plan_is_valid(t, misaligned, o));
  o.fixed = {{{10, 0, 0}, p.offsets[0]}};
  EXPECT_FALSE(plan_is_valid(t, p, o));  // a fixed block where t[0] lives
  MemoryPlan wrong_count = p;
  wrong_count.offsets.pop_back();
  EXPECT_FALSE(plan_is_valid(t, wrong_count));
}

TEST(MemoryPlanner, RandomPlansWithFixedBlocksAndCapacityAreValid) {
  std::mt19937 rng(7);
  int failures = 0;
  for (int round = 0; round < 300; ++round) {
    PlanOptions o;
    o.alignment = size_t(1) << (rng() % 8);
    o.pad = rng() % 2 ? 16 : 0;
    o.fit = rng() % 2 ? PlanOptions::Fit::kFirst : PlanOptions::Fit::kBest;
    o.order = rng() % 2 ? PlanOptions::Order::kGiven : PlanOptions::Order::kLargestFirst;
    for (int f = int(rng() % 3); f-- > 0;) {
      int a = int(rng() % 50);
      o.fixed.push_back({{size_t(1 + rng() % 3000), a, a + int(rng() % 10)}, rng() % 4000});
    }
    o.capacity = rng() % 3 ? 20000 + rng() % 20000 : SIZE_MAX;
    std::vector<Interval> t;
    for (int i = 1 + int(rng() % 30); i-- > 0;) {
      int a = int(rng() % 50), b = a + int(rng() % 10);
      t.push_back({size_t(rng() % 5000), a, b});
    }
    MemoryPlan p = plan_memory(t, o);
    if (!p.ok) {
      ++failures;
      ASSERT_LT(p.failed, t.size());
      continue;
    }
    ASSERT_TRUE(plan_is_valid(t, p, o)) << "round " << round;
  }
  EXPECT_LT(failures, 300);  // the capacities are not all too small
}

}  // namespace
}  // namespace rnpu::plan
