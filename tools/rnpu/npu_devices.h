// NPU devices: /dev/accel/accel* nodes and, for those driven by rnpu.ko,
// their identity, as librnpu reports them (rnpu_device_list_create: the CLI
// issues no ioctl of its own).
#pragma once

#include <string>
#include <vector>

namespace rnpu::cli {

struct NpuDevice {
  std::string path;    // /dev/accel/accel0
  std::string driver;  // DRM driver name ("rnpu"), empty if it could not be asked
  std::string error;   // why the node could not be opened or queried
  std::vector<std::pair<std::string, std::string>> params;  // label -> formatted value
};

std::vector<NpuDevice> probe_npu_devices(const std::string& dir = "/dev/accel");

}  // namespace rnpu::cli
