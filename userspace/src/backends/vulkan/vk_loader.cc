#include "vk_loader.h"

#include <dlfcn.h>

namespace rnpu::vk {

bool Api::load_global(std::string* why) {
  if (!lib_) {
    lib_ = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib_) {
      const char* e = dlerror();
      *why = std::string("Vulkan loader libvulkan.so.1 not found (") + (e ? e : "?") +
             "); install libvulkan1";
      return false;
    }
  }
  vkGetInstanceProcAddr =
      reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(lib_, "vkGetInstanceProcAddr"));
  if (!vkGetInstanceProcAddr) {
    *why = "libvulkan.so.1 has no vkGetInstanceProcAddr";
    return false;
  }
#define VK_GLOBAL(f) f = reinterpret_cast<PFN_##f>(vkGetInstanceProcAddr(nullptr, #f));
#define VK_INSTANCE(f)
#define VK_DEVICE(f)
#include "vk_functions.inc"
#undef VK_GLOBAL
#undef VK_INSTANCE
#undef VK_DEVICE
  if (!vkCreateInstance) {
    *why = "libvulkan.so.1 has no vkCreateInstance";
    return false;
  }
  return true;
}

bool Api::load_instance(VkInstance inst, std::string* why) {
#define VK_GLOBAL(f)
#define VK_INSTANCE(f)                                            \
  f = reinterpret_cast<PFN_##f>(vkGetInstanceProcAddr(inst, #f)); \
  if (!f) {                                                       \
    *why = "Vulkan instance lacks " #f;                           \
    return false;                                                 \
  }
#define VK_DEVICE(f)
#include "vk_functions.inc"
#undef VK_GLOBAL
#undef VK_INSTANCE
#undef VK_DEVICE
  return true;
}

bool Api::load_device(VkDevice dev, std::string* why) {
#define VK_GLOBAL(f)
#define VK_INSTANCE(f)
#define VK_DEVICE(f)                                           \
  f = reinterpret_cast<PFN_##f>(vkGetDeviceProcAddr(dev, #f)); \
  if (!f) {                                                    \
    *why = "Vulkan device lacks " #f;                          \
    return false;                                              \
  }
#include "vk_functions.inc"
#undef VK_GLOBAL
#undef VK_INSTANCE
#undef VK_DEVICE
  return true;
}

const char* result_name(VkResult r) {
  switch (r) {
#define R(x) \
  case x:    \
    return #x;
    R(VK_SUCCESS)
    R(VK_NOT_READY)
    R(VK_TIMEOUT)
    R(VK_INCOMPLETE)
    R(VK_ERROR_OUT_OF_HOST_MEMORY)
    R(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    R(VK_ERROR_INITIALIZATION_FAILED)
    R(VK_ERROR_DEVICE_LOST)
    R(VK_ERROR_MEMORY_MAP_FAILED)
    R(VK_ERROR_LAYER_NOT_PRESENT)
    R(VK_ERROR_EXTENSION_NOT_PRESENT)
    R(VK_ERROR_FEATURE_NOT_PRESENT)
    R(VK_ERROR_INCOMPATIBLE_DRIVER)
    R(VK_ERROR_TOO_MANY_OBJECTS)
    R(VK_ERROR_FORMAT_NOT_SUPPORTED)
    R(VK_ERROR_FRAGMENTED_POOL)
    R(VK_ERROR_OUT_OF_POOL_MEMORY)
    R(VK_ERROR_INVALID_SHADER_NV)
#undef R
    default:
      return "VkResult(unknown)";
  }
}

}  // namespace rnpu::vk
