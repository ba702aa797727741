// The "cpu" backend: reference kernels for most of the ONNX operator set
// plus an XNNPACK fast path, behind the common backend interface.
#pragma once

#include "backend/backend.h"

namespace rnpu::cpu {

class CpuBackend : public Backend {
 public:
  // `fast` = false compiles every partition to reference kernels only (for
  // tests that compare the two paths); RNPU_CPU_XNNPACK=0 and
  // CompileOptions::reference_kernels (Options::reference_kernels) do the same.
  explicit CpuBackend(bool fast = true) : fast_(fast) {}
  std::string name() const override { return "cpu"; }
  bool available() const override { return true; }
  // Fast programs keep their intermediates in an arena of their own, planned
  // over their own step order (which fusion and layout conversion change),
  // so the runtime only provides partition inputs and outputs.
  bool uses_host_arena() const override { return false; }
  std::string description() const override;
  Tolerance tolerance(ir::DType t) const override;
  bool runs_sequences() const override { return true; }

  Support supports(const ir::Graph& g, const ir::Node& n) const override;
  double estimate_cost_ns(const ir::Graph& g, const ir::Node& n) const override;

  // The chains its optimize() fuses, so that in auto mode they are costed
  // as the fused nodes it runs, as the other backends' claims are.
  std::vector<NodeGroup> claim(const ir::Graph& g) const override;
  int optimize(ir::Graph& subgraph) const override;
  std::unique_ptr<Program> compile(const ir::Graph& subgraph, const CompileOptions& o) override;
  void run(Program& p, RunContext& ctx) override;

 private:
  bool fast_;
};

// Runs of fast (and shape-specialised) programs in this process so far:
// every XNNPACK operator and fast-path kernel runs inside one.  Tests use it
// to prove that a run with Options::reference_kernels executed reference
// kernels only.
uint64_t fast_program_runs();

}  // namespace rnpu::cpu
