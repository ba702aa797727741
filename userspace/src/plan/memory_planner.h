// Static memory planning by live intervals: the one planner every memory
// layout in the runtime goes through — the executor's host arena (tensors
// and the backends' working memory), the cpu fast path's buffers, the
// Vulkan device arena, and the NPU code generator's SRAM window, DRAM
// scratch and tile bands.  Blocks alive at the same step never overlap;
// blocks with disjoint lifetimes share bytes.
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <vector>

namespace rnpu::plan {

// A block that must live in the arena from step `first` to step `last`
// (inclusive; steps are whatever order the caller runs in: execution-order
// node indices for the executor, step indices inside a program).
struct Interval {
  size_t size = 0;
  int first = 0;
  int last = 0;
};

// A block whose offset is already decided (a region reserved before
// planning); planned blocks alive at the same time avoid it.
struct FixedBlock {
  Interval t;
  size_t offset = 0;
};

struct PlanOptions {
  // Every offset is a multiple of this (a power of two).
  size_t alignment = 64;
  // Bytes each block reserves past its size (e.g. XNNPACK's read-overrun
  // slack), so the next block starts after them.
  size_t pad = 0;
  // A block fits only when offset + size <= capacity (an SRAM window);
  // plan_memory then reports failure instead of growing past it.
  size_t capacity = std::numeric_limits<size_t>::max();
  // kLargestFirst: blocks sorted by size (ties by first step), the order
  // that packs best; kGiven: in the order given (callers that place by
  // definition time or have already ordered by priority).
  enum class Order { kLargestFirst, kGiven } order = Order::kLargestFirst;
  // kBest: the smallest gap that holds the block; kFirst: the lowest one.
  enum class Fit { kBest, kFirst } fit = Fit::kBest;
  std::vector<FixedBlock> fixed;
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // per interval, multiple of the alignment
  size_t peak = 0;              // arena bytes needed (aligned ends, pads included)
  size_t naive = 0;             // bytes without any reuse (for reports)
  bool ok = true;               // false: some block did not fit in capacity
  size_t failed = 0;            // when !ok: index of the first block that did not fit
};

// Places blocks one at a time against those placed before; plan_memory is
// this over a whole list.  Callers with several pools (the NPU's SRAM
// window, else DRAM) keep one Placer per pool and try them in turn.
class Placer {
 public:
  explicit Placer(const PlanOptions& o = {});
  // The block's offset, or nullopt (nothing changes) when it would pass
  // the capacity.
  std::optional<size_t> place(const Interval& t);
  // Highest aligned end of any placed or fixed block.
  size_t peak() const { return peak_; }
  // Bytes a block of `size` reserves (aligned, pad included, at least 1).
  size_t reserved(size_t size) const;

 private:
  struct Placed {
    int first, last;
    size_t begin, end;
  };
  PlanOptions o_;
  std::vector<Placed> placed_;
  std::vector<std::pair<size_t, size_t>> busy_;  // scratch for place()
  size_t peak_ = 0;
};

MemoryPlan plan_memory(const std::vector<Interval>& tensors, const PlanOptions& o);
// Largest first, best fit, 64-byte aligned by default.
MemoryPlan plan_memory(const std::vector<Interval>& tensors, size_t alignment = 64);

// Checks a plan: every offset aligned, every block inside the peak (and
// the capacity), no two blocks alive at the same step overlapping, and
// none overlapping a fixed block alive with it.
bool plan_is_valid(const std::vector<Interval>& tensors, const MemoryPlan& p);
bool plan_is_valid(const std::vector<Interval>& tensors, const MemoryPlan& p, const PlanOptions& o);

}  // namespace rnpu::plan
