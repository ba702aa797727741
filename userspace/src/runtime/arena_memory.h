// Memory of the executor's arena (intermediate tensors and the programs'
// working memory): 64-byte aligned and zero-filled; blocks of 2 MiB and up
// come from anonymous mappings advised for transparent huge pages (THP
// "madvise" mode is the Debian default), so the activations every run
// streams through take fewer TLB misses — as the cpu fast path's own
// arenas did before their buffers moved into this one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rnpu::runtime {

class ArenaMemory {
 public:
  ArenaMemory() = default;
  // Throws ErrorCode::kOutOfMemory naming the size.
  explicit ArenaMemory(size_t bytes);
  ~ArenaMemory();
  ArenaMemory(ArenaMemory&& o) noexcept;
  ArenaMemory& operator=(ArenaMemory&& o) noexcept;
  ArenaMemory(const ArenaMemory&) = delete;
  ArenaMemory& operator=(const ArenaMemory&) = delete;

  uint8_t* data() const { return p_; }
  size_t size() const { return size_; }

 private:
  void release();
  uint8_t* p_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;  // bytes mapped at p_ (0: from the heap)
};

}  // namespace rnpu::runtime
