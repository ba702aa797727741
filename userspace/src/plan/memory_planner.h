// Static memory planning: liveness-based reuse of one arena for all
// intermediate tensors, with aligned offsets and a reported peak.
#pragma once

#include <cstddef>
#include <vector>

namespace rnpu::plan {

// A tensor that must live in the arena from step `first` to step `last`
// (inclusive; steps are execution-order node indices).
struct Interval {
  size_t size = 0;
  int first = 0;
  int last = 0;
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // per interval, multiple of the alignment
  size_t peak = 0;              // arena bytes needed
  size_t naive = 0;             // bytes without any reuse (for reports)
};

// Greedy by size: largest tensors first, each at the lowest aligned offset
// that does not overlap a placed tensor whose lifetime intersects its own.
MemoryPlan plan_memory(const std::vector<Interval>& tensors, size_t alignment = 64);

// Checks a plan: no two tensors alive at the same step overlap in memory.
bool plan_is_valid(const std::vector<Interval>& tensors, const MemoryPlan& p);

}  // namespace rnpu::plan
