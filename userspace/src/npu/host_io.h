// What the sim and npu backends share around a run: moving partition
// inputs/outputs between the runtime's host tensors and the program's
// image, per-node profiles from per-command costs, and the NpuReport.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "npu/program.h"

struct rnpu_cmd_cost;

namespace rnpu::npu {

// Copies every partition input into image (laid out per p.inputs); image
// holds the program's image from byte image_off on (a run slot holds it
// from data_start()).
void copy_inputs(const Program& p, RunContext& ctx, uint8_t* image, uint64_t image_off = 0);
// Copies every output out of image into the runtime's tensors.
void copy_outputs(const Program& p, RunContext& ctx, const uint8_t* image, uint64_t image_off = 0);
// "node 'conv3' (Conv)" for the command at stream offset `off`.
std::string command_origin(const Program& p, uint32_t off);

struct RunTotals {
  uint64_t cycles = 0, macs = 0, dram_bytes = 0, sram_bytes = 0, commands = 0;
};
// One OpProfile per node: the sum of its commands' modelled cycles, with
// time at freq_hz.  costs are in stream order (as rnpu_model_run fills).
void record_profiles(const Program& p, RunContext& ctx, const std::string& backend,
                     const rnpu_cmd_cost* costs, size_t n, uint64_t freq_hz);
NpuReport make_report(const Program& p, const std::string& backend, const RunTotals& t,
                      uint64_t freq_hz);

}  // namespace rnpu::npu
