#include "npu_devices.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#ifndef RNPU_CLI_NO_DRM
#include "uapi/drm/rnpu_accel.h"
#endif

namespace rnpu::cli {
namespace {

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string mib(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", double(v) / (1 << 20));
  return buf;
}

#ifndef RNPU_CLI_NO_DRM
void query(int fd, NpuDevice& d) {
  char name[64] = {};
  drm_version ver{};
  ver.name = name;
  ver.name_len = sizeof name - 1;
  if (ioctl(fd, DRM_IOCTL_VERSION, &ver) != 0) {
    d.error = std::string("DRM_IOCTL_VERSION failed: ") + std::strerror(errno);
    return;
  }
  d.driver = name;
  d.params.emplace_back("driver version", std::to_string(ver.version_major) + "." +
                                              std::to_string(ver.version_minor) + "." +
                                              std::to_string(ver.version_patchlevel));
  if (d.driver != "rnpu") return;
  auto get = [&](uint32_t param, uint64_t& v) {
    drm_rnpu_get_param p{};
    p.param = param;
    if (ioctl(fd, DRM_IOCTL_RNPU_GET_PARAM, &p) != 0) return false;
    v = p.value;
    return true;
  };
  uint64_t v = 0, w = 0;
  if (get(DRM_RNPU_PARAM_DEVICE_ID, v))
    d.params.emplace_back("pci id", hex(v >> 16) + ":" + hex(v & 0xffff));
  if (get(DRM_RNPU_PARAM_HW_VERSION, v))
    d.params.emplace_back(
        "hw version", std::to_string((v >> 16) & 0xffff) + "." + std::to_string((v >> 8) & 0xff));
  if (get(DRM_RNPU_PARAM_MAC_ROWS, v) && get(DRM_RNPU_PARAM_MAC_COLS, w))
    d.params.emplace_back("int8 MAC array", std::to_string(v) + "x" + std::to_string(w));
  if (get(DRM_RNPU_PARAM_VEC_LANES, v)) d.params.emplace_back("vector lanes", std::to_string(v));
  if (get(DRM_RNPU_PARAM_SRAM_SIZE, v)) d.params.emplace_back("sram", mib(v));
  if (get(DRM_RNPU_PARAM_CMD_VERSION, v))
    d.params.emplace_back("command stream version", std::to_string(v));
  if (get(DRM_RNPU_PARAM_NUM_CONTEXTS, v)) d.params.emplace_back("mmu contexts", std::to_string(v));
  if (get(DRM_RNPU_PARAM_FREQ_MIN, v) && get(DRM_RNPU_PARAM_FREQ_MAX, w))
    d.params.emplace_back("frequency",
                          std::to_string(v / 1000000) + "-" + std::to_string(w / 1000000) + " MHz");
  if (get(DRM_RNPU_PARAM_NUM_OPP, v)) d.params.emplace_back("operating points", std::to_string(v));
  if (get(DRM_RNPU_PARAM_DTYPES, v)) d.params.emplace_back("dtype mask", hex(v));
  if (get(DRM_RNPU_PARAM_OPS, v)) d.params.emplace_back("op mask", hex(v));
  if (get(DRM_RNPU_PARAM_RESETS, v)) d.params.emplace_back("resets", std::to_string(v));
  if (d.params.size() == 1) d.error = std::string("GET_PARAM failed: ") + std::strerror(errno);
}
#endif

}  // namespace

std::vector<NpuDevice> probe_npu_devices(const std::string& dir) {
  std::vector<NpuDevice> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = e.path().filename();
    if (name.rfind("accel", 0) != 0) continue;
    NpuDevice d;
    d.path = e.path();
    int fd = open(d.path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      d.error = std::string("cannot open: ") + std::strerror(errno);
    } else {
#ifndef RNPU_CLI_NO_DRM
      query(fd, d);
#else
      d.error = "rnpu was built without drm.h (install libdrm-dev and rebuild)";
#endif
      close(fd);
    }
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(), [](const NpuDevice& a, const NpuDevice& b) {
    return a.path.size() != b.path.size() ? a.path.size() < b.path.size() : a.path < b.path;
  });
  return out;
}

}  // namespace rnpu::cli
