#include "vk_memory.h"

#include <algorithm>

#include "rnpu/types.hpp"

namespace rnpu::vk {

struct Block {
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceSize size = 0;
  MemKind kind = MemKind::kDevice;
  uint8_t* mapped = nullptr;
  std::map<VkDeviceSize, VkDeviceSize> free;  // offset -> size, coalesced
  size_t live = 0;
  VkDeviceSize used = 0;
};

Allocation& Allocation::operator=(Allocation&& o) noexcept {
  if (this != &o) {
    reset();
    owner_ = o.owner_;
    block_ = o.block_;
    offset_ = o.offset_;
    size_ = o.size_;
    o.owner_ = nullptr;
    o.block_ = nullptr;
  }
  return *this;
}

void Allocation::reset() {
  if (block_) owner_->release(block_, offset_, size_);
  owner_ = nullptr;
  block_ = nullptr;
  offset_ = size_ = 0;
}

VkBuffer Allocation::buffer() const {
  return block_ ? block_->buffer : VK_NULL_HANDLE;
}

uint8_t* Allocation::host() const {
  return block_ && block_->mapped ? block_->mapped + offset_ : nullptr;
}

Allocator::Allocator(std::shared_ptr<Context> ctx, bool force_staging, VkDeviceSize block_size)
    : ctx_(std::move(ctx)), block_size_(block_size) {
  const VkPhysicalDeviceLimits& l = ctx_->limits;
  align_ =
      std::max<VkDeviceSize>({align_, l.minStorageBufferOffsetAlignment, l.nonCoherentAtomSize});
  uint32_t dev = find_type(VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0, ~0u);
  if (dev != UINT32_MAX) {
    VkMemoryPropertyFlags f = ctx_->memory.memoryTypes[dev].propertyFlags;
    unified_ =
        (f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) && (f & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
  }
  if (force_staging) unified_ = false;
}

Allocator::~Allocator() {
  for (auto& b : blocks_) {
    ctx_->api.vkDestroyBuffer(ctx_->device, b->buffer, nullptr);
    ctx_->api.vkFreeMemory(ctx_->device, b->memory, nullptr);
  }
}

uint32_t Allocator::find_type(VkMemoryPropertyFlags need, VkMemoryPropertyFlags want,
                              uint32_t bits) const {
  uint32_t best = UINT32_MAX;
  int best_score = -1;
  const auto& m = ctx_->memory;
  for (uint32_t i = 0; i < m.memoryTypeCount; ++i) {
    if (!(bits & (1u << i))) continue;
    VkMemoryPropertyFlags f = m.memoryTypes[i].propertyFlags;
    if ((f & need) != need) continue;
    int score = __builtin_popcount(f & want);
    if (score > best_score) {
      best = i;
      best_score = score;
    }
  }
  return best;
}

Block* Allocator::new_block(VkDeviceSize size, MemKind kind) {
  const Api& a = ctx_->api;
  auto b = std::make_unique<Block>();
  b->size = size;
  b->kind = kind;
  VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bci.size = size;
  bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
              VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  check(a.vkCreateBuffer(ctx_->device, &bci, nullptr, &b->buffer), "vkCreateBuffer");
  VkMemoryRequirements req;
  a.vkGetBufferMemoryRequirements(ctx_->device, b->buffer, &req);
  uint32_t type;
  if (kind == MemKind::kDevice)
    type = find_type(0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, req.memoryTypeBits);
  else
    type = find_type(VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                     VK_MEMORY_PROPERTY_HOST_CACHED_BIT, req.memoryTypeBits);
  if (type == UINT32_MAX) {
    a.vkDestroyBuffer(ctx_->device, b->buffer, nullptr);
    throw Error(ErrorCode::kDevice, "vulkan: no memory type for a storage buffer");
  }
  VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  mai.allocationSize = req.size;
  mai.memoryTypeIndex = type;
  VkResult r = a.vkAllocateMemory(ctx_->device, &mai, nullptr, &b->memory);
  if (r != VK_SUCCESS) {
    a.vkDestroyBuffer(ctx_->device, b->buffer, nullptr);
    throw Error(ErrorCode::kOutOfMemory, "vulkan: cannot allocate " + std::to_string(size) +
                                             " bytes of device memory: " + result_name(r));
  }
  check(a.vkBindBufferMemory(ctx_->device, b->buffer, b->memory, 0), "vkBindBufferMemory");
  if (ctx_->memory.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
    void* p = nullptr;
    check(a.vkMapMemory(ctx_->device, b->memory, 0, VK_WHOLE_SIZE, 0, &p), "vkMapMemory");
    b->mapped = static_cast<uint8_t*>(p);
  }
  // Device blocks are only written through the mapping when unified
  // memory is in use; otherwise they are treated as device-only.
  if (kind == MemKind::kDevice && !unified_) b->mapped = nullptr;
  b->free[0] = size;
  blocks_.push_back(std::move(b));
  return blocks_.back().get();
}

Allocation Allocator::allocate(VkDeviceSize size, MemKind kind) {
  VkDeviceSize need = std::max<VkDeviceSize>(align_, (size + align_ - 1) / align_ * align_);
  std::lock_guard<std::mutex> lock(mu_);
  Block* blk = nullptr;
  VkDeviceSize at = 0;
  for (auto& b : blocks_) {
    if (b->kind != kind) continue;
    for (auto& [off, len] : b->free)
      if (len >= need) {
        blk = b.get();
        at = off;
        break;
      }
    if (blk) break;
  }
  if (!blk) {
    blk = new_block(std::max(need, block_size_), kind);
    at = 0;
  }
  auto it = blk->free.find(at);
  VkDeviceSize len = it->second;
  blk->free.erase(it);
  if (len > need) blk->free[at + need] = len - need;
  blk->live++;
  blk->used += need;
  Allocation out;
  out.owner_ = this;
  out.block_ = blk;
  out.offset_ = at;
  out.size_ = need;
  return out;
}

void Allocator::release(Block* b, VkDeviceSize offset, VkDeviceSize size) {
  std::lock_guard<std::mutex> lock(mu_);
  auto next = b->free.emplace(offset, size).first;
  // Coalesce with neighbours.
  if (next != b->free.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == next->first) {
      prev->second += next->second;
      b->free.erase(next);
      next = prev;
    }
  }
  auto after = std::next(next);
  if (after != b->free.end() && next->first + next->second == after->first) {
    next->second += after->second;
    b->free.erase(after);
  }
  b->live--;
  b->used -= size;
  if (b->live == 0) {
    auto it = std::find_if(blocks_.begin(), blocks_.end(),
                           [&](const std::unique_ptr<Block>& x) { return x.get() == b; });
    ctx_->api.vkDestroyBuffer(ctx_->device, b->buffer, nullptr);
    ctx_->api.vkFreeMemory(ctx_->device, b->memory, nullptr);
    blocks_.erase(it);
  }
}

Allocator::Stats Allocator::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s;
  for (const auto& b : blocks_) {
    s.blocks++;
    s.reserved += b->size;
    s.used += b->used;
    s.allocations += b->live;
  }
  return s;
}

}  // namespace rnpu::vk
