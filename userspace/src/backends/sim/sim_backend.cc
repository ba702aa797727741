// The "sim" backend: NPU command streams from the shared code generator,
// executed in-process by the golden model (hw/model), so the NPU path runs
// and is measured on any machine.  Device memory is one host buffer (the
// program's image) at a fixed device address; the model maps it directly.
#include <chrono>
#include <cstring>
#include <mutex>

#include "backend/backend.h"
#include "npu/codegen.h"
#include "npu/codegen_backend.h"
#include "npu/host_io.h"
#include "rnpu_model.h"

namespace rnpu {
namespace backends {
namespace {

constexpr uint64_t kImageBase = 0x10000000;  // any DRAM VA below the SRAM window

class SimProgram : public npu::CodegenProgram {
 public:
  std::vector<uint8_t> image, stream;
  rnpu_model* model = nullptr;
  std::vector<rnpu_cmd_cost> costs;
  npu::RunTotals last;
  uint64_t freq_hz = 0;
  ~SimProgram() override { rnpu_model_destroy(model); }
  bool npu_report(NpuReport* out) const override {
    if (!last.commands) return false;
    *out = npu::make_report(prog, "sim", last, freq_hz);
    return true;
  }
};

struct ImageMem {
  uint8_t* p;
  uint64_t size;
  bool in(uint64_t va, uint64_t len) const {
    return va >= kImageBase && va - kImageBase <= size && len <= size - (va - kImageBase);
  }
};

int mem_read(void* o, uint64_t va, void* dst, uint64_t len) {
  auto* m = static_cast<ImageMem*>(o);
  if (!m->in(va, len)) return -1;
  std::memcpy(dst, m->p + (va - kImageBase), len);
  return 0;
}
int mem_write(void* o, uint64_t va, const void* src, uint64_t len) {
  auto* m = static_cast<ImageMem*>(o);
  if (!m->in(va, len)) return -1;
  std::memcpy(m->p + (va - kImageBase), src, len);
  return 0;
}
void* mem_map(void* o, uint64_t va, uint64_t len, int) {
  auto* m = static_cast<ImageMem*>(o);
  return m->in(va, len) ? m->p + (va - kImageBase) : nullptr;
}

class SimBackend : public npu::CodegenBackend {
 public:
  SimBackend() {
    rnpu_model_default_config(&cfg_);
    hw_ = npu::HwConfig::from_model(cfg_);
  }
  std::string name() const override { return "sim"; }
  bool available() const override { return true; }
  bool automatic() const override { return false; }
  std::string description() const override {
    return "golden model of the reference NPU (hw/model) run in-process: " + hw_.str();
  }
  void run(Program& base, RunContext& ctx) override {
    auto& sp = static_cast<SimProgram&>(base);
    npu::copy_inputs(sp.prog, ctx, sp.image.data());
    ImageMem mem{sp.image.data(), sp.image.size()};
    rnpu_mem_ops ops{mem_read, mem_write, mem_map, &mem};
    rnpu_model_result res;
    rnpu_model_run(sp.model, sp.stream.data(), sp.stream.size(), &ops, 0, &res, sp.costs.data(),
                   sp.costs.size());
    if (res.status != RNPU_MS_OK)
      throw Error(ErrorCode::kDevice, "sim: " + npu::command_origin(sp.prog, res.err_offset) +
                                          ": the NPU rejected the command (" +
                                          rnpu_model_status_name(res.status) + "): " + res.msg);
    sp.last = {res.cycles, res.macs, res.dram_rd_bytes + res.dram_wr_bytes, res.sram_bytes,
               res.num_cmds};
    npu::copy_outputs(sp.prog, ctx, sp.image.data());
    if (ctx.profiling())
      npu::record_profiles(sp.prog, ctx, "sim", sp.costs.data(), res.num_cmds, sp.freq_hz);
  }

 private:
  std::unique_ptr<npu::CodegenProgram> prepare(npu::Program p) override {
    auto sp = std::make_unique<SimProgram>();
    sp->image.assign(p.image_bytes, 0);
    std::memcpy(sp->image.data(), p.weights.data(), p.weights.size());
    sp->stream = p.relocate(kImageBase);
    sp->costs.resize(p.cmds.size());
    sp->freq_hz = hw_.max_freq_hz;
    sp->model = rnpu_model_create(&cfg_);
    if (!sp->model) throw Error(ErrorCode::kOutOfMemory, "sim: cannot create the NPU model");
    sp->prog = std::move(p);
    return sp;
  }
  rnpu_model_config cfg_;
};

}  // namespace

void register_sim(BackendRegistry& r) {
  r.add("sim", 20, [] { return std::make_unique<SimBackend>(); });
}

}  // namespace backends
}  // namespace rnpu
