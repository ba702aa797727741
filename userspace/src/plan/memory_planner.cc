#include "plan/memory_planner.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace rnpu::plan {

namespace {

size_t align_up(size_t v, size_t a) {
  return (v + a - 1) / a * a;
}

bool overlap_time(const Interval& a, const Interval& b) {
  return a.first <= b.last && b.first <= a.last;
}

}  // namespace

MemoryPlan plan_memory(const std::vector<Interval>& t, size_t alignment) {
  MemoryPlan p;
  p.offsets.assign(t.size(), 0);
  std::vector<size_t> order(t.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (t[a].size != t[b].size) return t[a].size > t[b].size;
    return t[a].first < t[b].first;
  });
  std::vector<size_t> placed;
  std::vector<std::pair<size_t, size_t>> busy;  // [begin, end) of conflicting placed tensors
  for (size_t i : order) {
    size_t need = align_up(std::max<size_t>(t[i].size, 1), alignment);
    p.naive += need;
    busy.clear();
    for (size_t j : placed)
      if (overlap_time(t[i], t[j]))
        busy.emplace_back(p.offsets[j],
                          p.offsets[j] + align_up(std::max<size_t>(t[j].size, 1), alignment));
    std::sort(busy.begin(), busy.end());
    // Best fit: the smallest gap that holds the tensor, else the end.
    size_t best = SIZE_MAX, best_gap = SIZE_MAX, cursor = 0;
    for (const auto& [b, e] : busy) {
      if (b > cursor && b - cursor >= need && b - cursor < best_gap) {
        best = cursor;
        best_gap = b - cursor;
      }
      cursor = std::max(cursor, e);
    }
    if (best == SIZE_MAX) best = cursor;
    p.offsets[i] = best;
    p.peak = std::max(p.peak, best + need);
    placed.push_back(i);
  }
  return p;
}

bool plan_is_valid(const std::vector<Interval>& t, const MemoryPlan& p) {
  if (p.offsets.size() != t.size()) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    if (p.offsets[i] + t[i].size > p.peak) return false;
    for (size_t j = i + 1; j < t.size(); ++j) {
      if (!overlap_time(t[i], t[j]) || t[i].size == 0 || t[j].size == 0) continue;
      bool disjoint =
          p.offsets[i] + t[i].size <= p.offsets[j] || p.offsets[j] + t[j].size <= p.offsets[i];
      if (!disjoint) return false;
    }
  }
  return true;
}

}  // namespace rnpu::plan
