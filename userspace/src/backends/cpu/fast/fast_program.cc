#include "fast_program.h"

#include <xnnpack.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "backends/cpu/convert.h"
#include "backends/cpu/kernels/kernel.h"
#include "huge_pool.h"

namespace rnpu::cpu::fast {

Scratch::Scratch(size_t bytes) : size_(bytes) {
  size_t alloc = (bytes + XNN_EXTRA_BYTES + 63) & ~size_t(63);
  void* p = huge_alloc(alloc);
  if (!p) fail("out of memory allocating " + std::to_string(bytes) + " scratch bytes");
  std::memset(p, 0, alloc);
  mem_ = std::shared_ptr<void>(p, huge_free);
}

FastState::FastState(RunContext& ctx, FastProgram& p)
    : ctx_(ctx), pool_(p.threadpool()), bufs_(p.buf_ptr) {}

void* FastState::ptr(const Slot& s, DType dtype, const Shape& shape) {
  if (s.buf >= 0) return bufs_[size_t(s.buf)];
  HostTensor& h = ctx_.tensor(s.value);
  size_t bytes = size_t(shape_numel(shape)) * dtype_size(dtype);
  if (h.data && h.size >= bytes) return h.data;
  return ctx_.allocate(s.value, to_ir(dtype), shape);
}

void FastProgram::place_buffers() {
  constexpr size_t kAlign = 64;
  auto padded = [](size_t b) { return (b + XNN_EXTRA_BYTES + kAlign - 1) & ~(kAlign - 1); };
  std::vector<size_t> order;
  for (size_t i = 0; i < bufs.size(); ++i)
    if (!bufs[i].persistent) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return bufs[a].bytes != bufs[b].bytes ? bufs[a].bytes > bufs[b].bytes : a < b;
  });
  std::vector<size_t> placed;
  arena_bytes = 0;
  for (size_t i : order) {
    Buffer& b = bufs[i];
    if (b.first < 0) b.first = b.last;  // never written: still reserve it
    // Ranges of already placed buffers whose lifetimes overlap b's.
    std::vector<std::pair<size_t, size_t>> busy;
    for (size_t j : placed) {
      const Buffer& o = bufs[j];
      if (o.first <= b.last && b.first <= o.last)
        busy.push_back({o.offset, o.offset + padded(o.bytes)});
    }
    std::sort(busy.begin(), busy.end());
    size_t off = 0;
    for (auto [lo, hi] : busy) {
      if (off + padded(b.bytes) <= lo) break;
      off = std::max(off, hi);
    }
    b.offset = off;
    arena_bytes = std::max(arena_bytes, off + padded(b.bytes));
    placed.push_back(i);
  }
  buf_ptr.assign(bufs.size(), nullptr);
  for (size_t i = 0; i < bufs.size(); ++i)
    if (bufs[i].persistent) buf_ptr[i] = bufs[i].fixed;
  if (arena_bytes) {
    memory.emplace_back(arena_bytes);
    auto* base = static_cast<uint8_t*>(memory.back().data());
    for (size_t i : order) buf_ptr[i] = base + bufs[i].offset;
  }
}

}  // namespace rnpu::cpu::fast
