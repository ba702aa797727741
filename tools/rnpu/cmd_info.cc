// rnpu info: what this machine offers librnpu.
#include <iostream>

#include "cli.h"
#include "npu_devices.h"

namespace rnpu::cli {
namespace {

// Mesa's lavapipe reports its device as "llvmpipe (...)".
bool is_lavapipe(const std::string& description) {
  return description.find("llvmpipe") != std::string::npos ||
         description.find("lavapipe") != std::string::npos;
}

}  // namespace

int cmd_info(std::span<const std::string> argv) {
  std::vector<OptionSpec> specs = {
      {"--accel-dir", "", "DIR", "where to look for NPU nodes (default /dev/accel)"}};
  Args args = parse_args(specs, argv);
  if (args.has("--help")) {
    std::cout << format_help("rnpu info [OPTIONS]",
                             "Prints the library version, every backend built in (available or "
                             "why not, with its device),\nand the NPU device nodes with their "
                             "identity as reported by the rnpu driver.",
                             specs);
    return kExitOk;
  }
  if (!args.positionals.empty())
    throw UsageError("unexpected argument '" + args.positionals[0] + "'");

  std::cout << "librnpu " << version() << "\nbackends:\n";
  std::vector<BackendInfo> backends = list_backends();
  size_t w = 0;
  for (const auto& b : backends) w = std::max(w, b.name.size());
  for (const auto& b : backends) {
    std::cout << "  " << b.name << std::string(w - b.name.size() + 2, ' ')
              << (b.available ? "available    " : "unavailable  ") << b.description << "\n";
    if (b.name == "vulkan" && b.available && is_lavapipe(b.description))
      std::cout << "  " << std::string(w + 15, ' ')
                << "(lavapipe: Mesa's Vulkan on the CPU, not a GPU; automatic selection keeps "
                   "ops on the cpu backend)\n";
  }

  std::string dir = args.get("--accel-dir", "/dev/accel");
  std::vector<NpuDevice> devs = probe_npu_devices(dir);
  std::cout << "npu devices:";
  if (devs.empty())
    std::cout << " none (no " << dir << "/accel* node: rnpu.ko is not loaded or no NPU is present)";
  std::cout << "\n";
  for (const NpuDevice& d : devs) {
    std::cout << "  " << d.path;
    if (!d.driver.empty()) std::cout << ": driver " << d.driver;
    if (!d.driver.empty() && d.driver != "rnpu") std::cout << " (not an rnpu device)";
    if (!d.error.empty()) std::cout << (d.driver.empty() ? ": " : ", ") << d.error;
    std::cout << "\n";
    for (const auto& [k, v] : d.params) std::cout << "    " << k << ": " << v << "\n";
  }
  return kExitOk;
}

}  // namespace rnpu::cli
