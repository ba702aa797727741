#include "npu/host_io.h"

#include <algorithm>
#include <cstring>

#include "rnpu_model.h"

namespace rnpu::npu {

void copy_inputs(const Program& p, RunContext& ctx, uint8_t* image, uint64_t image_off) {
  for (const IoBinding& io : p.inputs) {
    const HostTensor& t = ctx.tensor(io.value);
    if (!t.data || t.size < io.bytes || t.shape != io.shape)
      throw Error(ErrorCode::kShapeMismatch,
                  "npu: input '" + io.name + "' does not match the shape it was compiled for");
    std::memcpy(image + (io.offset - image_off), t.data, io.bytes);
  }
}

void copy_outputs(const Program& p, RunContext& ctx, const uint8_t* image, uint64_t image_off) {
  for (const IoBinding& io : p.outputs) {
    HostTensor& t = ctx.tensor(io.value);
    void* dst = t.data ? t.data : ctx.allocate(io.value, io.dtype, io.shape);
    if (ctx.tensor(io.value).size < io.bytes)
      throw Error(ErrorCode::kInternal, "npu: output '" + io.name + "' buffer too small");
    std::memcpy(dst, image + (io.offset - image_off), io.bytes);
  }
}

std::string command_origin(const Program& p, uint32_t off) {
  for (const CmdOrigin& c : p.cmds)
    if (c.offset == off) {
      const NodeInfo& n = p.nodes[c.node];
      return "node '" + n.name + "' (" + n.op + ")";
    }
  return "the partition's boundary copies";
}

void record_profiles(const Program& p, RunContext& ctx, const std::string& backend,
                     const rnpu_cmd_cost* costs, size_t n, uint64_t freq_hz) {
  std::vector<uint64_t> cyc(p.nodes.size(), 0);
  for (size_t i = 0; i < n && i < p.cmds.size(); ++i) cyc[p.cmds[i].node] += costs[i].cycles;
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    OpProfile op;
    op.node = p.nodes[i].name;
    op.op = p.nodes[i].op;
    op.backend = backend;
    op.cycles = cyc[i];
    op.time_ns = freq_hz ? cyc[i] * 1000000000ull / freq_hz : 0;
    ctx.record(op);
  }
}

NpuReport make_report(const Program& p, const std::string& backend, const RunTotals& t,
                      uint64_t freq_hz) {
  NpuReport r;
  r.backend = backend;
  r.cycles = t.cycles;
  r.macs = t.macs;
  r.dram_bytes = t.dram_bytes;
  r.sram_bytes = t.sram_bytes;
  r.commands = t.commands;
  r.compulsory_bytes = p.compulsory_bytes();
  r.peak_macs_per_cycle = uint64_t(p.hw.mac_rows) * p.hw.mac_cols;
  double fp16_peak = std::max<double>(1, double(p.hw.mac_rows) * std::max(1u, p.hw.mac_cols / 2));
  for (const NodeInfo& n : p.nodes)
    r.compute_bound_cycles += double(n.macs) / (n.int8 ? double(r.peak_macs_per_cycle) : fp16_peak);
  r.memory_bound_cycles = double(r.compulsory_bytes) / std::max(1u, p.hw.dram_bw);
  r.freq_hz = freq_hz;
  return r;
}

}  // namespace rnpu::npu
