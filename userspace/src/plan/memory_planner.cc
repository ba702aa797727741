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

Placer::Placer(const PlanOptions& o) : o_(o) {
  if (o_.alignment == 0) o_.alignment = 1;
  for (const FixedBlock& f : o_.fixed) {
    // Exactly its bytes: a fixed block need not be aligned.
    size_t end = f.offset + f.t.size + o_.pad;
    placed_.push_back({f.t.first, f.t.last, f.offset, end});
    peak_ = std::max(peak_, end);
  }
}

size_t Placer::reserved(size_t size) const {
  return align_up(std::max<size_t>(size + o_.pad, 1), o_.alignment);
}

std::optional<size_t> Placer::place(const Interval& t) {
  size_t need = reserved(t.size);
  busy_.clear();
  for (const Placed& p : placed_)
    if (p.first <= t.last && t.first <= p.last) busy_.emplace_back(p.begin, p.end);
  std::sort(busy_.begin(), busy_.end());
  // Gaps between the blocks alive with t, lowest first; fixed blocks may
  // start anywhere, so each gap's start is aligned up.
  size_t best = SIZE_MAX, best_gap = SIZE_MAX, cursor = 0;
  for (const auto& [b, e] : busy_) {
    if (b > cursor && b - cursor >= need) {
      if (o_.fit == PlanOptions::Fit::kFirst) {
        best = cursor;
        break;
      }
      if (b - cursor < best_gap) {
        best = cursor;
        best_gap = b - cursor;
      }
    }
    cursor = std::max(cursor, align_up(e, o_.alignment));
  }
  if (best == SIZE_MAX) best = cursor;
  if (best > o_.capacity || t.size > o_.capacity - best) return std::nullopt;
  placed_.push_back({t.first, t.last, best, best + need});
  peak_ = std::max(peak_, best + need);
  return best;
}

MemoryPlan plan_memory(const std::vector<Interval>& t, const PlanOptions& o) {
  MemoryPlan p;
  p.offsets.assign(t.size(), 0);
  std::vector<size_t> order(t.size());
  std::iota(order.begin(), order.end(), 0);
  if (o.order == PlanOptions::Order::kLargestFirst)
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (t[a].size != t[b].size) return t[a].size > t[b].size;
      return t[a].first < t[b].first;
    });
  Placer placer(o);
  for (size_t i : order) {
    p.naive += placer.reserved(t[i].size);
    std::optional<size_t> at = placer.place(t[i]);
    if (!at) {
      p.ok = false;
      p.failed = i;
      break;
    }
    p.offsets[i] = *at;
  }
  p.peak = placer.peak();
  return p;
}

MemoryPlan plan_memory(const std::vector<Interval>& t, size_t alignment) {
  PlanOptions o;
  o.alignment = alignment;
  return plan_memory(t, o);
}

bool plan_is_valid(const std::vector<Interval>& t, const MemoryPlan& p, const PlanOptions& o) {
  if (!p.ok || p.offsets.size() != t.size()) return false;
  size_t al = o.alignment ? o.alignment : 1;
  auto fits = [&](size_t off, size_t size) {
    return off % al == 0 && off + size + o.pad <= p.peak && off <= o.capacity &&
           size <= o.capacity - off;
  };
  auto disjoint = [&](size_t a, size_t as, size_t b, size_t bs) {
    return a + as + o.pad <= b || b + bs + o.pad <= a;
  };
  for (size_t i = 0; i < t.size(); ++i) {
    if (!fits(p.offsets[i], t[i].size)) return false;
    if (t[i].size == 0) continue;
    for (const FixedBlock& f : o.fixed)
      if (overlap_time(t[i], f.t) && f.t.size &&
          !disjoint(p.offsets[i], t[i].size, f.offset, f.t.size))
        return false;
    for (size_t j = i + 1; j < t.size(); ++j) {
      if (!overlap_time(t[i], t[j]) || t[j].size == 0) continue;
      if (!disjoint(p.offsets[i], t[i].size, p.offsets[j], t[j].size)) return false;
    }
  }
  return true;
}

bool plan_is_valid(const std::vector<Interval>& t, const MemoryPlan& p) {
  PlanOptions o;
  o.alignment = 1;  // the alignment the plan was made with is not known here
  return plan_is_valid(t, p, o);
}

}  // namespace rnpu::plan
