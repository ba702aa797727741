// API 1.2: NPU devices (rnpu_device_list_*), over the npu backend's
// AccelDevice::probe: the accel nodes of a directory with their DRM version
// and the rnpu driver's parameters, as `rnpu info` shows them.
#include "api/c_api_internal.h"
#include "backends/npu/accel_device.h"
#include "drm/rnpu_accel.h"

using namespace rnpu::capi;

struct rnpu_device_list {
  std::vector<rnpu::npu::NodeProbe> nodes;
};

extern "C" {

rnpu_status rnpu_device_list_create(const char* dir, rnpu_device_list** out) {
  if (!out) return bad_arg("out is NULL");
  *out = nullptr;
  return guard([&] {
    auto list = std::make_unique<rnpu_device_list>();
    list->nodes = rnpu::npu::AccelDevice::probe(dir ? dir : "/dev/accel");
    *out = list.release();
  });
}

void rnpu_device_list_destroy(rnpu_device_list* list) {
  delete list;
}

size_t rnpu_device_count(const rnpu_device_list* list) {
  return list ? list->nodes.size() : 0;
}

rnpu_status rnpu_device_get_info(const rnpu_device_list* list, size_t index,
                                 rnpu_device_info* info) {
  if (!list) return bad_arg("device list is NULL");
  if (rnpu_status st = check_out(info, "info")) return st;
  if (index >= list->nodes.size())
    return bad_arg("device index " + std::to_string(index) + " out of range (" +
                   std::to_string(list->nodes.size()) + " devices)");
  const rnpu::npu::NodeProbe& n = list->nodes[index];
  auto param = [&](uint32_t p, uint64_t* v) {
    auto it = n.params.find(p);
    if (it == n.params.end()) return false;
    *v = it->second;
    return true;
  };
  rnpu_device_info full{};
  full.path = n.path.c_str();
  full.driver = n.driver.c_str();
  full.error = n.error.c_str();
  if (n.have_version) {
    full.have |= RNPU_DEVICE_HAVE_DRIVER_VERSION;
    full.driver_major = n.version_major;
    full.driver_minor = n.version_minor;
    full.driver_patchlevel = n.version_patchlevel;
  }
  uint64_t v = 0, w = 0;
  if (param(DRM_RNPU_PARAM_DEVICE_ID, &v)) {
    full.have |= RNPU_DEVICE_HAVE_PCI_ID;
    full.pci_vendor = uint32_t(v >> 16);
    full.pci_device = uint32_t(v & 0xffff);
  }
  if (param(DRM_RNPU_PARAM_HW_VERSION, &v)) {
    full.have |= RNPU_DEVICE_HAVE_HW_VERSION;
    full.hw_version = uint32_t(v);
  }
  if (param(DRM_RNPU_PARAM_MAC_ROWS, &v) && param(DRM_RNPU_PARAM_MAC_COLS, &w)) {
    full.have |= RNPU_DEVICE_HAVE_MAC_ARRAY;
    full.mac_rows = uint32_t(v);
    full.mac_cols = uint32_t(w);
  }
  if (param(DRM_RNPU_PARAM_VEC_LANES, &v)) {
    full.have |= RNPU_DEVICE_HAVE_VEC_LANES;
    full.vec_lanes = uint32_t(v);
  }
  if (param(DRM_RNPU_PARAM_SRAM_SIZE, &v)) {
    full.have |= RNPU_DEVICE_HAVE_SRAM_SIZE;
    full.sram_size = v;
  }
  if (param(DRM_RNPU_PARAM_CMD_VERSION, &v)) {
    full.have |= RNPU_DEVICE_HAVE_CMD_VERSION;
    full.cmd_version = uint32_t(v);
  }
  if (param(DRM_RNPU_PARAM_NUM_CONTEXTS, &v)) {
    full.have |= RNPU_DEVICE_HAVE_NUM_CONTEXTS;
    full.num_contexts = uint32_t(v);
  }
  if (param(DRM_RNPU_PARAM_FREQ_MIN, &v) && param(DRM_RNPU_PARAM_FREQ_MAX, &w)) {
    full.have |= RNPU_DEVICE_HAVE_FREQ;
    full.freq_min_hz = v;
    full.freq_max_hz = w;
  }
  if (param(DRM_RNPU_PARAM_NUM_OPP, &v)) {
    full.have |= RNPU_DEVICE_HAVE_NUM_OPP;
    full.num_opp = uint32_t(v);
  }
  if (param(DRM_RNPU_PARAM_DTYPES, &v)) {
    full.have |= RNPU_DEVICE_HAVE_DTYPES;
    full.dtypes = v;
  }
  if (param(DRM_RNPU_PARAM_OPS, &v)) {
    full.have |= RNPU_DEVICE_HAVE_OPS;
    full.ops = v;
  }
  if (param(DRM_RNPU_PARAM_RESETS, &v)) {
    full.have |= RNPU_DEVICE_HAVE_RESETS;
    full.resets = v;
  }
  write_out(info, full);
  return RNPU_OK;
}

}  // extern "C"
