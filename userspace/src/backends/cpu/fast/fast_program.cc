#include "fast_program.h"

#include <xnnpack.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "backends/cpu/convert.h"
#include "backends/cpu/kernels/kernel.h"
#include "huge_pool.h"
#include "plan/memory_planner.h"

namespace rnpu::cpu::fast {

namespace {
std::atomic<uint64_t> g_own_workspaces{0};
}  // namespace

uint64_t own_workspace_allocations() {
  return g_own_workspaces.load(std::memory_order_relaxed);
}

Scratch::Scratch(size_t bytes) : size_(bytes) {
  size_t alloc = (bytes + XNN_EXTRA_BYTES + 63) & ~size_t(63);
  void* p = huge_alloc(alloc);
  if (!p) fail("out of memory allocating " + std::to_string(bytes) + " scratch bytes");
  std::memset(p, 0, alloc);
  mem_ = std::shared_ptr<void>(p, huge_free);
}

FastState::FastState(RunContext& ctx, FastProgram& p)
    : ctx_(ctx), pool_(p.threadpool()), bufs_(p.buf_ptr) {
  p.bind_workspace(ctx.workspace());
}

void* FastState::ptr(const Slot& s, DType dtype, const Shape& shape) {
  if (s.buf >= 0) return bufs_[size_t(s.buf)];
  HostTensor& h = ctx_.tensor(s.value);
  size_t bytes = size_t(shape_numel(shape)) * dtype_size(dtype);
  if (h.data && h.size >= bytes) return h.data;
  return ctx_.allocate(s.value, to_ir(dtype), shape);
}

void FastProgram::place_buffers() {
  std::vector<plan::Interval> iv;
  std::vector<size_t> who;
  for (size_t i = 0; i < bufs.size(); ++i) {
    Buffer& b = bufs[i];
    if (b.persistent) continue;
    if (b.first < 0) b.first = b.last;  // never written: still reserve it
    iv.push_back({b.bytes, b.first, b.last});
    who.push_back(i);
  }
  plan::PlanOptions o;
  o.alignment = 64;
  o.pad = XNN_EXTRA_BYTES;
  plan::MemoryPlan mp = plan::plan_memory(iv, o);
  if (!mp.ok || !plan::plan_is_valid(iv, mp, o))
    fail("internal: the fast path's buffer plan is invalid");
  for (size_t k = 0; k < who.size(); ++k) bufs[who[k]].offset = mp.offsets[k];
  arena_bytes = mp.peak;
  buf_ptr.assign(bufs.size(), nullptr);
  for (size_t i = 0; i < bufs.size(); ++i)
    if (bufs[i].persistent) buf_ptr[i] = bufs[i].fixed;
  bound_ = nullptr;
}

void FastProgram::bind_workspace(std::span<uint8_t> ws) {
  uint8_t* base = ws.data();
  if (arena_bytes == 0) return;
  if (ws.size() < arena_bytes) {
    if (!own_) {
      own_ = std::make_unique<Scratch>(arena_bytes);
      g_own_workspaces.fetch_add(1, std::memory_order_relaxed);
    }
    base = static_cast<uint8_t*>(own_->data());
  }
  if (base == bound_) return;  // the usual case: the same arena slot every run
  for (size_t i = 0; i < bufs.size(); ++i)
    if (!bufs[i].persistent) buf_ptr[i] = base + bufs[i].offset;
  bound_ = base;
}

}  // namespace rnpu::cpu::fast
