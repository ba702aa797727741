// The "vulkan" backend: partitions run as recorded compute command
// buffers on the best Vulkan device (see docs/vulkan-backend.md).
#pragma once

#include <memory>
#include <mutex>

#include "backend/backend.h"
#include "cost.h"
#include "vk_program.h"

namespace rnpu::vk {

class VulkanBackend : public Backend {
 public:
  struct Config {
    // Kernel family: "auto" (by device type), "cpu" or "gpu".
    std::string kernels = "auto";
    // Inputs/outputs through staging copies even on unified memory (the
    // discrete-GPU path, testable on any device).
    bool force_staging = false;
  };
  // Defaults from RNPU_VULKAN_KERNELS and RNPU_VULKAN_FORCE_STAGING=1.
  static Config env_config();

  VulkanBackend() : VulkanBackend(env_config()) {}
  explicit VulkanBackend(Config c) : config_(std::move(c)) {}
  ~VulkanBackend() override;

  std::string name() const override { return "vulkan"; }
  bool available() const override;
  std::string description() const override;
  bool uses_host_arena() const override { return false; }
  Tolerance tolerance(ir::DType t) const override;

  Support supports(const ir::Graph& g, const ir::Node& n) const override;
  double estimate_cost_ns(const ir::Graph& g, const ir::Node& n) const override;
  // Fusable chains (its kernels take rnpu.activation), claimed whole and
  // fused in the partition; QDQ regions run as they are (no int8 kernels).
  std::vector<NodeGroup> claim(const ir::Graph& g) const override;
  int optimize(ir::Graph& subgraph) const override;

  std::unique_ptr<Program> compile(const ir::Graph& subgraph, const CompileOptions& o) override;
  void run(Program& p, RunContext& ctx) override;
  void read_outputs(Program& p, RunContext& ctx) override;

  // For tests and `rnpu info`: the shared device (null when unavailable)
  // and the cost model's rates (calibrating on first call).
  std::shared_ptr<Device> device() const;
  const Rates& rates() const;

 private:
  void init() const;
  Config config_;
  mutable std::mutex init_mu_;
  mutable long init_pid_ = 0;  // process that opened the device (0: not yet)
  mutable std::once_flag rates_once_;
  mutable std::shared_ptr<Device> dev_;
  mutable std::string why_;
  mutable Rates rates_;
};

// Measures dispatch overhead, GEMM throughput and bandwidth on `dev`
// (about 0.1-0.5 s on lavapipe).  Throws on device errors.
Rates calibrate(const std::shared_ptr<Device>& dev);

}  // namespace rnpu::vk
