// One Vulkan device for librnpu: instance, device selection, the compute
// queue, and what the device can do.  Shared (shared_ptr) by the backend,
// its allocator, pipeline store and every program compiled for it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vk_loader.h"

namespace rnpu::vk {

struct DeviceInfo {
  std::string name;         // "llvmpipe (LLVM 15.0.6, 256 bits)"
  std::string type;         // "discrete", "integrated", "virtual", "cpu", "other"
  std::string driver;       // "llvmpipe", "radv", ...
  std::string driver_info;  // "Mesa 22.3.6 (LLVM 15.0.6)"
  VkPhysicalDeviceType vk_type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
  uint32_t vendor_id = 0, device_id = 0, driver_version = 0, api_version = 0;
  std::array<uint8_t, VK_UUID_SIZE> device_uuid{};
  std::array<uint8_t, VK_UUID_SIZE> pipeline_cache_uuid{};
  bool fp16_storage = false;       // storageBuffer16BitAccess enabled
  bool timestamps = false;         // compute queue has valid timestamp bits
  double timestamp_period_ns = 1;  // ns per timestamp tick
  uint64_t device_local_bytes = 0;
  uint32_t compute_units_hint = 0;  // subgroup size (lavapipe: SIMD width)
  std::string uuid_hex() const;     // device UUID as 32 hex digits
};

class Context {
 public:
  // Opens the best device (discrete > integrated > virtual > CPU), or the
  // one RNPU_VULKAN_DEVICE names (index or name substring).  Returns null
  // with *why set when there is no usable device.
  static std::shared_ptr<Context> create(std::string* why);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  Api api;
  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  uint32_t queue_family = 0;
  VkPhysicalDeviceLimits limits{};
  VkPhysicalDeviceMemoryProperties memory{};
  DeviceInfo info;
  // Every device considered, one line each (for `rnpu info` and errors).
  std::vector<std::string> candidates;

  // vkQueueSubmit needs external synchronisation across programs.
  VkResult submit(const VkSubmitInfo& s, VkFence fence);
  // "llvmpipe (LLVM 15.0.6, 256 bits), cpu, driver llvmpipe Mesa 22.3.6 ..."
  std::string description() const;

 private:
  Context() = default;
  std::mutex queue_mu_;
};

// Throws rnpu::Error(kDevice) "vulkan: <what>: <VkResult>" unless r is VK_SUCCESS.
void check(VkResult r, const char* what);

}  // namespace rnpu::vk
