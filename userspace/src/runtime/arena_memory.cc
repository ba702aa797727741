#include "runtime/arena_memory.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "rnpu/types.hpp"

namespace rnpu::runtime {

namespace {
constexpr size_t kHuge = size_t(2) << 20;
}  // namespace

ArenaMemory::ArenaMemory(size_t bytes) {
  size_t cap = (bytes + 63) / 64 * 64;
  if (cap == 0) cap = 64;
  if (cap >= kHuge) {
    size_t len = (cap + kHuge - 1) / kHuge * kHuge;
    // Map a huge page more, then trim, so the block starts on a 2 MiB
    // boundary and whole huge pages fit.
    void* m =
        mmap(nullptr, len + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m != MAP_FAILED) {
      auto a = reinterpret_cast<uintptr_t>(m), base = (a + kHuge - 1) & ~(kHuge - 1);
      if (base > a) munmap(m, base - a);
      if (size_t tail = kHuge - (base - a)) munmap(reinterpret_cast<void*>(base + len), tail);
      madvise(reinterpret_cast<void*>(base), len, MADV_HUGEPAGE);  // advice only: may be refused
      p_ = reinterpret_cast<uint8_t*>(base);
      size_ = cap;
      mapped_ = len;
      return;  // anonymous mappings are zero-filled
    }
  }
  void* p = std::aligned_alloc(64, cap);
  if (!p)
    throw Error(ErrorCode::kOutOfMemory,
                "cannot allocate a " + std::to_string(cap) + "-byte tensor arena");
  std::memset(p, 0, cap);
  p_ = static_cast<uint8_t*>(p);
  size_ = cap;
}

ArenaMemory::~ArenaMemory() {
  release();
}

ArenaMemory::ArenaMemory(ArenaMemory&& o) noexcept
    : p_(std::exchange(o.p_, nullptr)),
      size_(std::exchange(o.size_, 0)),
      mapped_(std::exchange(o.mapped_, 0)) {}

ArenaMemory& ArenaMemory::operator=(ArenaMemory&& o) noexcept {
  if (this != &o) {
    release();
    p_ = std::exchange(o.p_, nullptr);
    size_ = std::exchange(o.size_, 0);
    mapped_ = std::exchange(o.mapped_, 0);
  }
  return *this;
}

void ArenaMemory::release() {
  if (!p_) return;
  if (mapped_)
    munmap(p_, mapped_);
  else
    std::free(p_);
  p_ = nullptr;
  size_ = mapped_ = 0;
}

}  // namespace rnpu::runtime
