// A partition compiled for the NPU: one command stream plus the device
// memory image it runs in.  Everything is position independent: device
// addresses in the stream are offsets into the image, made absolute by
// relocate() once the image has a device address (a BO's VA on the real
// driver, a fixed base in the simulator).  The SRAM window is absolute.
//
// Image layout (64-byte aligned regions):
//   [weights: packed at compile time][inputs][outputs][scratch]
// Host inputs are copied into the input region as the model gives them
// (fp32 stays fp32: the stream's first DMAs convert to fp16) and outputs
// are read back from the output region in the model's dtypes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "rnpu/types.hpp"

struct rnpu_model_config;

namespace rnpu::npu {

// What the code generator targets: the capability registers that matter.
struct HwConfig {
  uint32_t hw_version = 0;  // RNPU_HW_VERSION
  uint32_t cmd_version = 0;
  uint32_t mac_rows = 0, mac_cols = 0, vec_lanes = 0;
  uint64_t sram_bytes = 0;  // usable SRAM window
  uint32_t dram_bw = 0, sram_bw = 0;
  uint32_t cmd_overhead = 64;
  uint64_t max_freq_hz = 0;

  static HwConfig from_model(const rnpu_model_config& c);
  // The model configuration with this geometry and these rates (for
  // rnpu_model_estimate); operating points are the reference ones.
  rnpu_model_config to_model() const;
  // The reference configuration (hw/SPEC.md), used by the simulator.
  static HwConfig reference();
  // A program built for `this` runs unchanged on `dev` when the command
  // version and MAC geometry match and dev has at least this much SRAM.
  bool runs_on(const HwConfig& dev, std::string* why) const;
  std::string str() const;
};

struct IoBinding {
  ir::ValueId value = ir::kNoValue;  // in the partition's graph
  std::string name;
  DataType dtype = DataType::kUndefined;  // host (model) dtype
  std::vector<int64_t> shape;
  uint64_t offset = 0;  // in the image
  uint64_t bytes = 0;
};

// Which node each command belongs to (profiles, error messages).
struct CmdOrigin {
  uint32_t offset = 0;  // byte offset of the command in the stream
  uint32_t node = 0;    // index into Program::nodes
};

struct NodeInfo {
  std::string name, op;
  uint64_t macs = 0;  // multiply-accumulates of the node
  bool int8 = false;  // computed on the int8 path (full MAC rate)
};

struct Program {
  HwConfig hw;
  std::vector<uint8_t> stream;   // header + commands, VAs image-relative
  std::vector<uint32_t> relocs;  // stream offsets of u64 VA fields to rebase
  std::vector<uint8_t> weights;  // image bytes [0, weights.size())
  uint64_t image_bytes = 0;      // whole image, weights included
  uint64_t scratch_bytes = 0;    // DRAM intermediates
  uint64_t sram_bytes = 0;       // SRAM window used
  std::vector<IoBinding> inputs, outputs;
  std::vector<NodeInfo> nodes;
  std::vector<CmdOrigin> cmds;
  uint64_t macs = 0;

  // The stream with every image-relative VA moved to base + offset.
  std::vector<uint8_t> relocate(uint64_t base) const;
  // The image in two pieces: the weights [0, data_start()), read-only and
  // shared by every run, and the per-run data (inputs, outputs, scratch)
  // from data_start() on, which may live elsewhere (one copy per run slot
  // of the npu backend, so successive runs overlap).
  uint64_t data_start() const;
  std::vector<uint8_t> relocate(uint64_t weights_va, uint64_t data_va) const;
  // Lower bound of DRAM traffic: weights, inputs and outputs once each.
  uint64_t compulsory_bytes() const;
};

// Serialized form for compiled artifacts (format kProgramFormat).
inline constexpr const char* kProgramFormat = "rnpu-npu-v1";
std::vector<uint8_t> save_program(const Program& p);
// Throws rnpu::Error(kMalformedModel) naming what is wrong.  Every size is
// bounded: counts and blobs by the data, the image by its parts (weights,
// I/O regions, scratch), I/O regions lie past the weights.
Program load_program(std::span<const uint8_t> data);
// Checks a loaded program against the partition it is to run for: its I/O
// bindings are the partition's inputs and outputs, in order, with their
// dtypes, shapes and byte sizes, and its DRAM scratch is no larger than the
// code generator can ask for the partition's tensors.  Backends call it
// before allocating the image.  Throws rnpu::Error(kMalformedModel).
void check_program(const Program& p, const ir::Graph& sub);

}  // namespace rnpu::npu
