#include "npu_devices.h"

#include <cstdio>
#include <memory>

#include "rnpu/rnpu.hpp"

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

// The labelled parameters `rnpu info` prints, those the device reported.
void describe(const rnpu_device_info& i, NpuDevice& d) {
  auto have = [&](uint32_t bit) { return (i.have & bit) != 0; };
  if (have(RNPU_DEVICE_HAVE_DRIVER_VERSION))
    d.params.emplace_back("driver version", std::to_string(i.driver_major) + "." +
                                                std::to_string(i.driver_minor) + "." +
                                                std::to_string(i.driver_patchlevel));
  if (have(RNPU_DEVICE_HAVE_PCI_ID))
    d.params.emplace_back("pci id", hex(i.pci_vendor) + ":" + hex(i.pci_device));
  if (have(RNPU_DEVICE_HAVE_HW_VERSION))
    d.params.emplace_back("hw version", std::to_string((i.hw_version >> 16) & 0xffff) + "." +
                                            std::to_string((i.hw_version >> 8) & 0xff));
  if (have(RNPU_DEVICE_HAVE_MAC_ARRAY))
    d.params.emplace_back("int8 MAC array",
                          std::to_string(i.mac_rows) + "x" + std::to_string(i.mac_cols));
  if (have(RNPU_DEVICE_HAVE_VEC_LANES))
    d.params.emplace_back("vector lanes", std::to_string(i.vec_lanes));
  if (have(RNPU_DEVICE_HAVE_SRAM_SIZE)) d.params.emplace_back("sram", mib(i.sram_size));
  if (have(RNPU_DEVICE_HAVE_CMD_VERSION))
    d.params.emplace_back("command stream version", std::to_string(i.cmd_version));
  if (have(RNPU_DEVICE_HAVE_NUM_CONTEXTS))
    d.params.emplace_back("mmu contexts", std::to_string(i.num_contexts));
  if (have(RNPU_DEVICE_HAVE_FREQ))
    d.params.emplace_back("frequency", std::to_string(i.freq_min_hz / 1000000) + "-" +
                                           std::to_string(i.freq_max_hz / 1000000) + " MHz");
  if (have(RNPU_DEVICE_HAVE_NUM_OPP))
    d.params.emplace_back("operating points", std::to_string(i.num_opp));
  if (have(RNPU_DEVICE_HAVE_DTYPES)) d.params.emplace_back("dtype mask", hex(i.dtypes));
  if (have(RNPU_DEVICE_HAVE_OPS)) d.params.emplace_back("op mask", hex(i.ops));
  if (have(RNPU_DEVICE_HAVE_RESETS)) d.params.emplace_back("resets", std::to_string(i.resets));
}

}  // namespace

std::vector<NpuDevice> probe_npu_devices(const std::string& dir) {
  rnpu_device_list* raw = nullptr;
  throw_on_error(rnpu_device_list_create(dir.c_str(), &raw));
  std::unique_ptr<rnpu_device_list, decltype(&rnpu_device_list_destroy)> list(
      raw, &rnpu_device_list_destroy);
  std::vector<NpuDevice> out;
  for (size_t k = 0; k < rnpu_device_count(list.get()); ++k) {
    rnpu_device_info i{};
    i.struct_size = sizeof i;
    throw_on_error(rnpu_device_get_info(list.get(), k, &i));
    NpuDevice d;
    d.path = i.path;
    d.driver = i.driver;
    d.error = i.error;
    describe(i, d);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace rnpu::cli
