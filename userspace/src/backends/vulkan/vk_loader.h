// The Vulkan loader (libvulkan.so.1) opened at run time, so librnpu loads
// and runs on machines without it; the backend then reports itself
// unavailable with the reason instead.
#pragma once

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <string>

namespace rnpu::vk {

struct Api {
  PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr = nullptr;
#define VK_GLOBAL(f) PFN_##f f = nullptr;
#define VK_INSTANCE(f) PFN_##f f = nullptr;
#define VK_DEVICE(f) PFN_##f f = nullptr;
#include "vk_functions.inc"
#undef VK_GLOBAL
#undef VK_INSTANCE
#undef VK_DEVICE

  // Opens the loader; false with *why set when it is missing.
  bool load_global(std::string* why);
  // Resolves instance-level (and, through them, device-level defaults)
  // entry points; false naming the first missing one.
  bool load_instance(VkInstance inst, std::string* why);
  bool load_device(VkDevice dev, std::string* why);

 private:
  void* lib_ = nullptr;
};

// "VK_ERROR_OUT_OF_DEVICE_MEMORY" etc.
const char* result_name(VkResult r);

}  // namespace rnpu::vk
