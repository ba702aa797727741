// The "npu" backend: NPU command streams from the shared code generator
// (userspace/src/npu), run on the device through the rnpu accel driver.
// A compiled partition owns a read-only BO with its packed weights and
// kSlots run slots, each a BO with the per-run data (inputs, outputs,
// scratch) followed by the command stream relocated to both BOs.  run()
// copies inputs into the next free slot and submits; read_outputs() waits
// for the oldest submitted job and maps any job error (invalid command, MMU
// fault, watchdog, hang) to an rnpu::Error naming the node whose command
// failed.  With two slots the runtime pipelines successive inferences: the
// host prepares run N+1 while the device (or its queue) holds run N.
#include <algorithm>
#include <cstring>
#include <deque>

#include "backend/backend.h"
#include "backends/npu/accel_device.h"
#include "drm/rnpu_accel.h"
#include "npu/codegen.h"
#include "npu/codegen_backend.h"
#include "npu/host_io.h"

namespace rnpu {
namespace backends {
namespace {

constexpr int64_t kJobWaitNs = int64_t(120) * 1000000000;  // the driver's own timeout is shorter

uint64_t align_page(uint64_t v) {
  return (v + 4095) & ~uint64_t(4095);
}

constexpr size_t kSlots = 2;

class NpuProgram : public npu::CodegenProgram {
 public:
  struct Slot {
    npu::Bo bo;
    uint64_t seqno = 0;  // of the submitted, unfinished job; 0 = free
  };
  npu::AccelDevice* dev = nullptr;
  npu::Bo weights;
  Slot slots[kSlots];
  uint64_t stream_off = 0;     // within a slot
  size_t next = 0;             // slot the next run uses
  std::deque<size_t> pending;  // slots with jobs in flight, oldest first
  npu::RunTotals last;
  uint64_t freq_hz = 0;
  ~NpuProgram() override {
    if (!dev) return;
    // A job still queued references the BOs: let it finish first.
    for (size_t i : pending) {
      try {
        dev->wait(slots[i].seqno, kJobWaitNs);
      } catch (const Error&) {  // a destructor cannot report it
      }
    }
    for (Slot& s : slots)
      if (s.bo.handle) dev->destroy_bo(s.bo);
    if (weights.handle) dev->destroy_bo(weights);
  }
  bool npu_report(NpuReport* out) const override {
    if (!last.commands) return false;
    *out = npu::make_report(prog, "npu", last, freq_hz);
    return true;
  }
};

class NpuBackend : public npu::CodegenBackend {
 public:
  NpuBackend() {
    std::vector<std::string> found = npu::AccelDevice::find();
    if (found.empty()) {
      why_ =
          "no rnpu device (/dev/accel/accel*): load rnpu.ko on a board with the NPU, or use "
          "--backend sim";
      return;
    }
    try {
      dev_ = npu::AccelDevice::open(found[0]);
    } catch (const Error& e) {
      why_ = e.what();
      return;
    }
    const npu::DeviceInfo& i = dev_->info();
    hw_.hw_version = i.hw_version;
    hw_.cmd_version = i.cmd_version;
    hw_.mac_rows = i.mac_rows;
    hw_.mac_cols = i.mac_cols;
    hw_.vec_lanes = i.vec_lanes;
    hw_.sram_bytes = i.sram_avail;
    hw_.dram_bw = i.dram_bw;
    hw_.sram_bw = i.sram_bw;
    hw_.max_freq_hz = i.freq_max_hz;
  }
  std::string name() const override { return "npu"; }
  bool available() const override { return dev_ != nullptr; }
  std::string description() const override {
    if (!dev_) return why_;
    return dev_->info().path + " (" + dev_->info().driver + "): " + hw_.str();
  }
  size_t max_in_flight(const Program&) const override { return kSlots; }
  void run(Program& base, RunContext& ctx) override {
    auto& np = static_cast<NpuProgram&>(base);
    if (np.pending.size() == kSlots)
      throw Error(ErrorCode::kInvalidArgument,
                  "npu: " + std::to_string(kSlots) + " runs of this partition are in flight");
    NpuProgram::Slot& slot = np.slots[np.next];
    uint64_t data0 = np.prog.data_start();
    npu::copy_inputs(np.prog, ctx, static_cast<uint8_t*>(slot.bo.cpu), data0);
    npu::BoUse use[2] = {{&np.weights, false}, {&slot.bo, true}};
    slot.seqno =
        dev_->submit(slot.bo, np.stream_off, uint32_t(np.prog.stream.size()), use, 0, 0, 0);
    np.pending.push_back(np.next);
    np.next = (np.next + 1) % kSlots;
  }
  void read_outputs(Program& base, RunContext& ctx) override {
    auto& np = static_cast<NpuProgram&>(base);
    if (np.pending.empty()) throw Error(ErrorCode::kInternal, "npu: no run in flight");
    NpuProgram::Slot& slot = np.slots[np.pending.front()];
    np.pending.pop_front();
    npu::JobResult r = dev_->wait(slot.seqno, kJobWaitNs);
    slot.seqno = 0;
    if (r.state != DRM_RNPU_JOB_DONE || r.error) {
      // Only the device's own errors point at a command.
      bool at_cmd = r.error == DRM_RNPU_ERR_INVALID_CMD || r.error == DRM_RNPU_ERR_MMU_FAULT ||
                    r.error == DRM_RNPU_ERR_WATCHDOG;
      throw Error(ErrorCode::kDevice,
                  "npu: job failed" +
                      (at_cmd ? " in " + npu::command_origin(np.prog, r.err_offset) : "") + ": " +
                      npu::AccelDevice::describe(r));
    }
    np.last = {r.cycles, r.macs, r.dram_bytes, r.sram_bytes, np.prog.cmds.size()};
    np.freq_hz = dev_->param(DRM_RNPU_PARAM_FREQ_MAX);
    npu::copy_outputs(np.prog, ctx, static_cast<const uint8_t*>(slot.bo.cpu), np.prog.data_start());
    if (ctx.profiling()) {
      // The device reports per job, not per command: one entry for the partition.
      OpProfile op;
      op.node = np.prog.nodes.front().name + ".." + np.prog.nodes.back().name;
      op.op = "npu-job";
      op.backend = "npu";
      op.cycles = r.cycles;
      op.time_ns = r.end_ns > r.start_ns ? r.end_ns - r.start_ns : 0;
      ctx.record(op);
    }
  }

 private:
  std::unique_ptr<npu::CodegenProgram> prepare(npu::Program p) override {
    auto np = std::make_unique<NpuProgram>();
    np->dev = dev_.get();
    uint64_t data0 = p.data_start(), data = p.image_bytes > data0 ? p.image_bytes - data0 : 0;
    np->weights = dev_->create_bo(align_page(std::max<uint64_t>(data0, 1)), true);
    std::memcpy(np->weights.cpu, p.weights.data(), p.weights.size());
    np->stream_off = align_page(data);
    for (NpuProgram::Slot& slot : np->slots) {
      slot.bo = dev_->create_bo(np->stream_off + p.stream.size(), false);
      auto* cpu = static_cast<uint8_t*>(slot.bo.cpu);
      std::memset(cpu, 0, data);
      std::vector<uint8_t> s = p.relocate(np->weights.va, slot.bo.va);
      std::memcpy(cpu + np->stream_off, s.data(), s.size());
    }
    np->prog = std::move(p);
    return np;
  }
  std::unique_ptr<npu::AccelDevice> dev_;
  std::string why_;
};

}  // namespace

void register_npu(BackendRegistry& r) {
  r.add("npu", 10, [] { return std::make_unique<NpuBackend>(); });
}

}  // namespace backends
}  // namespace rnpu
