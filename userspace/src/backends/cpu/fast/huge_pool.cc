#include "huge_pool.h"

#include <sys/mman.h>
#include <xnnpack.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

namespace rnpu::cpu::fast {

namespace {

constexpr size_t kHuge = size_t(2) << 20;
constexpr size_t kChunk = size_t(64) << 20;
constexpr size_t kPoolFrom = size_t(64) << 10;  // smaller blocks stay with libc

// Bump allocation inside 64 MiB chunks; a chunk is unmapped once every block
// in it has been released and a newer chunk took over.  Packed weights are
// allocated at compile time and released together, so little is wasted.
struct Chunk {
  char* base;
  size_t size, used, live;
};

std::mutex mu;
std::vector<Chunk> chunks;

Chunk* find_chunk(void* p) {
  for (Chunk& c : chunks)
    if (static_cast<char*>(p) >= c.base && static_cast<char*>(p) < c.base + c.size) return &c;
  return nullptr;
}

void* pool_alloc(size_t bytes, size_t align) {
  std::lock_guard lock(mu);
  if (align < 64) align = 64;
  Chunk* c = chunks.empty() ? nullptr : &chunks.back();
  size_t off = c ? (c->used + align - 1) & ~(align - 1) : 0;
  if (!c || off + bytes > c->size) {
    size_t size = std::max(kChunk, (bytes + kHuge - 1) & ~(kHuge - 1));
    void* m =
        mmap(nullptr, size + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return nullptr;
    // Keep a 2 MiB aligned window so whole huge pages fit.
    char* base =
        reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(m) + kHuge - 1) & ~(kHuge - 1));
    size_t head = size_t(base - static_cast<char*>(m));
    if (head) munmap(m, head);
    munmap(base + size, kHuge - head);
    madvise(base, size, MADV_HUGEPAGE);
    // Drop the previous chunk now if nothing in it is alive any more.
    if (c && c->live == 0) {
      munmap(c->base, c->size);
      chunks.pop_back();
    }
    chunks.push_back({base, size, 0, 0});
    c = &chunks.back();
    off = 0;
  }
  c->used = off + bytes;
  ++c->live;
  return c->base + off;
}

bool pool_free(void* p) {
  std::lock_guard lock(mu);
  Chunk* c = find_chunk(p);
  if (!c) return false;
  if (--c->live == 0 && c != &chunks.back()) {
    munmap(c->base, c->size);
    chunks.erase(chunks.begin() + (c - chunks.data()));
  }
  return true;
}

void* x_alloc(void*, size_t size) {
  return std::malloc(size);
}
void* x_realloc(void*, void* p, size_t size) {
  return std::realloc(p, size);
}
void x_free(void*, void* p) {
  std::free(p);
}
void* x_aligned_alloc(void*, size_t align, size_t size) {
  if (size >= kPoolFrom) return pool_alloc(size, align);
  void* p = nullptr;
  if (posix_memalign(&p, align < sizeof(void*) ? sizeof(void*) : align, size) != 0) return nullptr;
  return p;
}
void x_aligned_free(void*, void* p) {
  if (p && !pool_free(p)) std::free(p);
}

const xnn_allocator kAllocator = {nullptr, x_alloc,         x_realloc,
                                  x_free,  x_aligned_alloc, x_aligned_free};

}  // namespace

const xnn_allocator* huge_page_allocator() {
  return &kAllocator;
}

void* huge_alloc(size_t bytes) {
  if (bytes >= 4 * kHuge) {
    void* p = nullptr;
    if (posix_memalign(&p, kHuge, (bytes + kHuge - 1) & ~(kHuge - 1)) != 0) return nullptr;
    madvise(p, (bytes + kHuge - 1) & ~(kHuge - 1), MADV_HUGEPAGE);
    return p;
  }
  return std::aligned_alloc(64, (bytes + 63) & ~size_t(63));
}

void huge_free(void* p) {
  std::free(p);
}

}  // namespace rnpu::cpu::fast
