// Buffer suballocation: a few large VkDeviceMemory blocks, each bound to
// one VkBuffer, carved into aligned ranges.  Tensors are (buffer, offset,
// size) ranges of a block, so a model needs a handful of allocations (the
// driver limit, maxMemoryAllocationCount, can be as low as 4096).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "vk_context.h"

namespace rnpu::vk {

enum class MemKind {
  kDevice,  // device-local (may also be host-visible on unified memory)
  kHost,    // host-visible and coherent, mapped: inputs/outputs/staging
};

class Allocator;
struct Block;

class Allocation {
 public:
  Allocation() = default;
  Allocation(Allocation&& o) noexcept { *this = std::move(o); }
  Allocation& operator=(Allocation&& o) noexcept;
  ~Allocation() { reset(); }
  void reset();

  explicit operator bool() const { return block_ != nullptr; }
  VkBuffer buffer() const;
  VkDeviceSize offset() const { return offset_; }
  VkDeviceSize size() const { return size_; }
  // Mapped address, or nullptr when the memory is not host-visible.
  uint8_t* host() const;
  // Identifies the block (for hazard tracking across allocations).
  const void* block_id() const { return block_; }

 private:
  friend class Allocator;
  Allocator* owner_ = nullptr;
  Block* block_ = nullptr;
  VkDeviceSize offset_ = 0, size_ = 0;
};

class Allocator {
 public:
  // force_staging: treat device memory as device-only even when it is
  // host-visible (see unified()).
  explicit Allocator(std::shared_ptr<Context> ctx, bool force_staging = false,
                     VkDeviceSize block_size = 64ull << 20);
  ~Allocator();
  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;

  // Throws rnpu::Error(kOutOfMemory) naming the size when the device refuses.
  Allocation allocate(VkDeviceSize size, MemKind kind);

  // True when device-local memory is also host-visible (integrated GPUs,
  // lavapipe): inputs/outputs then need no staging copies.  force_staging
  // turns it off to test the discrete-GPU path on such devices.
  bool unified() const { return unified_; }
  VkDeviceSize alignment() const { return align_; }

  struct Stats {
    size_t blocks = 0;
    VkDeviceSize reserved = 0;  // bytes in blocks
    VkDeviceSize used = 0;      // bytes handed out
    size_t allocations = 0;     // live suballocations
  };
  Stats stats() const;

 private:
  friend class Allocation;
  void release(Block* b, VkDeviceSize offset, VkDeviceSize size);
  Block* new_block(VkDeviceSize size, MemKind kind);
  uint32_t find_type(VkMemoryPropertyFlags need, VkMemoryPropertyFlags want, uint32_t bits) const;

  std::shared_ptr<Context> ctx_;
  VkDeviceSize block_size_;
  VkDeviceSize align_ = 256;
  bool unified_ = false;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Block>> blocks_;
};

}  // namespace rnpu::vk
