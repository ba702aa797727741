#include "vk_context.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "rnpu/types.hpp"

namespace rnpu::vk {

namespace {

const char* type_name(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return "cpu";
    default:
      return "other";
  }
}

// Preference among device types: real GPUs first, CPU implementations
// (lavapipe, SwiftShader) last.
int type_score(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return 1;
    default:
      return 0;
  }
}

bool has_extension(const std::vector<VkExtensionProperties>& exts, const char* name) {
  for (const auto& e : exts)
    if (std::strcmp(e.extensionName, name) == 0) return true;
  return false;
}

struct Candidate {
  VkPhysicalDevice pd;
  VkPhysicalDeviceProperties props;
  uint32_t family;
  bool usable;
  std::string why;  // when not usable
};

}  // namespace

void check(VkResult r, const char* what) {
  if (r != VK_SUCCESS)
    throw Error(ErrorCode::kDevice, std::string("vulkan: ") + what + ": " + result_name(r));
}

std::string DeviceInfo::uuid_hex() const {
  std::string s;
  char b[3];
  for (uint8_t c : device_uuid) {
    std::snprintf(b, sizeof b, "%02x", c);
    s += b;
  }
  return s;
}

std::shared_ptr<Context> Context::create(std::string* why) {
  std::shared_ptr<Context> c(new Context());
  Api& a = c->api;
  if (!a.load_global(why)) return nullptr;

  uint32_t loader_api = VK_API_VERSION_1_0;
  if (a.vkEnumerateInstanceVersion) a.vkEnumerateInstanceVersion(&loader_api);
  if (loader_api < VK_API_VERSION_1_1) {
    *why = "Vulkan loader supports only Vulkan 1.0 (1.1 needed)";
    return nullptr;
  }
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "librnpu";
  app.pEngineName = "rnpu";
  app.apiVersion = VK_API_VERSION_1_2;
  VkInstanceCreateInfo ici{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  ici.pApplicationInfo = &app;
  VkResult r = a.vkCreateInstance(&ici, nullptr, &c->instance);
  if (r != VK_SUCCESS) {
    *why = std::string("vkCreateInstance failed: ") + result_name(r) +
           " (no Vulkan driver installed? Debian: mesa-vulkan-drivers)";
    return nullptr;
  }
  if (!a.load_instance(c->instance, why)) return nullptr;

  uint32_t n = 0;
  a.vkEnumeratePhysicalDevices(c->instance, &n, nullptr);
  std::vector<VkPhysicalDevice> pds(n);
  if (n) a.vkEnumeratePhysicalDevices(c->instance, &n, pds.data());
  pds.resize(n);
  if (pds.empty()) {
    *why =
        "no Vulkan device (no driver found a device; for a CPU implementation install "
        "mesa-vulkan-drivers and set VK_ICD_FILENAMES to lvp_icd.x86_64.json)";
    return nullptr;
  }

  std::vector<Candidate> cands;
  for (VkPhysicalDevice pd : pds) {
    Candidate cd{pd, {}, 0, false, {}};
    a.vkGetPhysicalDeviceProperties(pd, &cd.props);
    uint32_t qn = 0;
    a.vkGetPhysicalDeviceQueueFamilyProperties(pd, &qn, nullptr);
    std::vector<VkQueueFamilyProperties> qf(qn);
    a.vkGetPhysicalDeviceQueueFamilyProperties(pd, &qn, qf.data());
    // Prefer a compute queue without graphics (async compute on GPUs).
    int best = -1;
    for (uint32_t i = 0; i < qn; ++i) {
      if (!(qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT)) continue;
      if (best < 0 || !(qf[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)) best = int(i);
    }
    if (cd.props.apiVersion < VK_API_VERSION_1_1)
      cd.why = "Vulkan 1.0 only";
    else if (best < 0)
      cd.why = "no compute queue";
    else {
      cd.usable = true;
      cd.family = uint32_t(best);
    }
    cands.push_back(cd);
  }

  // Choice: explicit RNPU_VULKAN_DEVICE, else best type, then most memory.
  int pick = -1;
  if (const char* want = std::getenv("RNPU_VULKAN_DEVICE"); want && *want) {
    char* end = nullptr;
    long idx = std::strtol(want, &end, 10);
    for (size_t i = 0; i < cands.size(); ++i) {
      bool match = (end && *end == 0) ? long(i) == idx
                                      : std::strstr(cands[i].props.deviceName, want) != nullptr;
      if (match && cands[i].usable) {
        pick = int(i);
        break;
      }
    }
    if (pick < 0) {
      *why = std::string("RNPU_VULKAN_DEVICE=") + want + " matches no usable Vulkan device";
      return nullptr;
    }
  } else {
    for (size_t i = 0; i < cands.size(); ++i) {
      if (!cands[i].usable) continue;
      if (pick < 0 ||
          type_score(cands[i].props.deviceType) > type_score(cands[size_t(pick)].props.deviceType))
        pick = int(i);
    }
  }
  for (size_t i = 0; i < cands.size(); ++i) {
    std::string line = std::to_string(i) + ": " + cands[i].props.deviceName + " (" +
                       type_name(cands[i].props.deviceType) + ")";
    if (!cands[i].usable) line += " unusable: " + cands[i].why;
    if (int(i) == pick) line += " [selected]";
    c->candidates.push_back(line);
  }
  if (pick < 0) {
    *why = "no usable Vulkan device:";
    for (const auto& l : c->candidates) *why += " " + l + ";";
    return nullptr;
  }

  const Candidate& cd = cands[size_t(pick)];
  c->physical = cd.pd;
  c->queue_family = cd.family;
  c->limits = cd.props.limits;
  a.vkGetPhysicalDeviceMemoryProperties(cd.pd, &c->memory);
  DeviceInfo& info = c->info;
  info.name = cd.props.deviceName;
  info.vk_type = cd.props.deviceType;
  info.type = type_name(cd.props.deviceType);
  info.vendor_id = cd.props.vendorID;
  info.device_id = cd.props.deviceID;
  info.driver_version = cd.props.driverVersion;
  info.api_version = cd.props.apiVersion;
  std::memcpy(info.pipeline_cache_uuid.data(), cd.props.pipelineCacheUUID, VK_UUID_SIZE);
  for (uint32_t i = 0; i < c->memory.memoryHeapCount; ++i)
    if (c->memory.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
      info.device_local_bytes += c->memory.memoryHeaps[i].size;

  uint32_t en = 0;
  a.vkEnumerateDeviceExtensionProperties(cd.pd, nullptr, &en, nullptr);
  std::vector<VkExtensionProperties> exts(en);
  a.vkEnumerateDeviceExtensionProperties(cd.pd, nullptr, &en, exts.data());
  bool driver_props = cd.props.apiVersion >= VK_API_VERSION_1_2 ||
                      has_extension(exts, VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME);

  VkPhysicalDeviceDriverProperties drv{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
  VkPhysicalDeviceIDProperties idp{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
  VkPhysicalDeviceSubgroupProperties sg{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  idp.pNext = &sg;
  if (driver_props) sg.pNext = &drv;
  VkPhysicalDeviceProperties2 p2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  p2.pNext = &idp;
  a.vkGetPhysicalDeviceProperties2(cd.pd, &p2);
  std::memcpy(info.device_uuid.data(), idp.deviceUUID, VK_UUID_SIZE);
  info.compute_units_hint = sg.subgroupSize;
  if (driver_props) {
    info.driver = drv.driverName;
    info.driver_info = drv.driverInfo;
  }

  VkPhysicalDevice16BitStorageFeatures s16{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES};
  VkPhysicalDeviceFeatures2 f2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  f2.pNext = &s16;
  a.vkGetPhysicalDeviceFeatures2(cd.pd, &f2);
  info.fp16_storage = s16.storageBuffer16BitAccess == VK_TRUE;

  // Enable only what the kernels use.
  VkPhysicalDevice16BitStorageFeatures en16{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES};
  en16.storageBuffer16BitAccess = info.fp16_storage ? VK_TRUE : VK_FALSE;
  VkPhysicalDeviceFeatures2 enf{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  enf.pNext = &en16;
  float prio = 1.0f;
  VkDeviceQueueCreateInfo qci{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  qci.queueFamilyIndex = cd.family;
  qci.queueCount = 1;
  qci.pQueuePriorities = &prio;
  VkDeviceCreateInfo dci{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  dci.pNext = &enf;
  dci.queueCreateInfoCount = 1;
  dci.pQueueCreateInfos = &qci;
  r = a.vkCreateDevice(cd.pd, &dci, nullptr, &c->device);
  if (r != VK_SUCCESS) {
    *why = std::string("vkCreateDevice on ") + info.name + " failed: " + result_name(r);
    return nullptr;
  }
  if (!a.load_device(c->device, why)) return nullptr;
  a.vkGetDeviceQueue(c->device, cd.family, 0, &c->queue);

  uint32_t qn = 0;
  a.vkGetPhysicalDeviceQueueFamilyProperties(cd.pd, &qn, nullptr);
  std::vector<VkQueueFamilyProperties> qf(qn);
  a.vkGetPhysicalDeviceQueueFamilyProperties(cd.pd, &qn, qf.data());
  info.timestamps = qf[cd.family].timestampValidBits > 0 && c->limits.timestampPeriod > 0;
  info.timestamp_period_ns = c->limits.timestampPeriod;
  return c;
}

Context::~Context() {
  if (device) {
    api.vkDeviceWaitIdle(device);
    api.vkDestroyDevice(device, nullptr);
  }
  if (instance) api.vkDestroyInstance(instance, nullptr);
}

VkResult Context::submit(const VkSubmitInfo& s, VkFence fence) {
  std::lock_guard<std::mutex> lock(queue_mu_);
  return api.vkQueueSubmit(queue, 1, &s, fence);
}

std::string Context::description() const {
  char ver[64];
  std::snprintf(ver, sizeof ver, "Vulkan %u.%u.%u", VK_API_VERSION_MAJOR(info.api_version),
                VK_API_VERSION_MINOR(info.api_version), VK_API_VERSION_PATCH(info.api_version));
  std::string d = info.name + " (" + info.type + " device; " + ver;
  if (!info.driver.empty()) d += "; driver " + info.driver;
  if (!info.driver_info.empty()) d += " " + info.driver_info;
  d += std::string("; fp16 storage ") + (info.fp16_storage ? "yes" : "no");
  d += "; uuid " + info.uuid_hex() + ")";
  return d;
}

}  // namespace rnpu::vk
