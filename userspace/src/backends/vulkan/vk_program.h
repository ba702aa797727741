// A compiled partition.  Executable: one shape specialisation with its
// memory (constants, inputs/outputs, arena) and recorded command buffer.
// VulkanProgram: the partition, compiled once when its shapes are static,
// else specialised per distinct signature of resolved shapes on first
// sight: every non-static value's shape, not only the inputs' (shape
// tensors entering the partition decide intermediate shapes too).
#pragma once

#include <memory>
#include <vector>

#include "backend/backend.h"
#include "lower.h"

namespace rnpu::vk {

// What every program of one backend shares.
struct Device {
  std::shared_ptr<Context> ctx;
  std::shared_ptr<Allocator> alloc;
  std::shared_ptr<Pipelines> pipes;
  Caps caps;
};

class Executable {
 public:
  // `g` must outlive the executable; L has lowered g.
  Executable(std::shared_ptr<Device> dev, const ir::Graph& g, Lowerer& L, bool profiling);
  // Copies inputs in and submits.
  void submit(RunContext& ctx);
  // Waits, copies outputs out, records per-op timings when profiling.
  void finish(RunContext& ctx);

  struct Stats {
    size_t dispatches = 0, barriers = 0;
    size_t const_bytes = 0, arena_bytes = 0, arena_naive_bytes = 0, io_bytes = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Io {
    ir::ValueId v;
    uint8_t* host;  // mapped address (io region or staging)
    size_t bytes;
  };
  std::shared_ptr<Device> dev_;
  const ir::Graph& g_;
  std::vector<std::vector<int64_t>> out_dims_;
  Allocation consts_, arena_, io_, staging_;
  std::vector<Allocation> extra_staging_;  // readback of device-only outputs
  std::vector<Io> inputs_, outputs_;
  std::unique_ptr<Recording> rec_;
  bool profiling_;
  Stats stats_;
};

class VulkanProgram : public Program {
 public:
  VulkanProgram(std::shared_ptr<Device> dev, const ir::Graph& sub, const CompileOptions& o);
  void run(RunContext& ctx);
  void read_outputs(RunContext& ctx);
  // The executable for static shapes (null for dynamic partitions).
  const Executable* fixed() const { return fixed_.get(); }
  size_t specializations() const { return cache_.size(); }

  static constexpr size_t kMaxSpecializations = 4;

 private:
  struct Spec {
    std::vector<std::vector<int64_t>> key;  // shapes of keyed_, as resolved
    std::unique_ptr<ir::Graph> graph;
    std::unique_ptr<Executable> exe;
    uint64_t last_use = 0;
  };
  std::unique_ptr<Executable> make(const ir::Graph& g);

  std::shared_ptr<Device> dev_;
  ir::Graph sub_;
  CompileOptions opts_;
  std::unique_ptr<Executable> fixed_;
  std::vector<Spec> cache_;
  std::vector<ir::ValueId> keyed_;  // inputs, then every non-static value
  uint64_t clock_ = 0;
  Executable* active_ = nullptr;
};

}  // namespace rnpu::vk
