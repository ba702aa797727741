// What the sim and npu backends share: both run the code generator's
// programs, so capability, cost, claims, the per-partition rewrites,
// compilation and saved programs are decided here once.  A backend adds
// where a program lives (prepare) and how it runs (run, read_outputs).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "npu/codegen.h"

namespace rnpu::npu {

// A compiled partition of either backend: the code generator's program
// plus whatever the backend keeps to run it.
class CodegenProgram : public rnpu::Program {
 public:
  npu::Program prog;
};

class CodegenBackend : public rnpu::Backend {
 public:
  // fp32 graphs compute in fp16 (10-bit mantissa, fp32 accumulation); int8
  // results may differ from the reference by one quantum.
  Tolerance tolerance(ir::DType t) const override;
  Support supports(const ir::Graph& g, const ir::Node& n) const override;
  double estimate_cost_ns(const ir::Graph& g, const ir::Node& n) const override;
  // QDQ regions and fusable chains, claimed whole and rewritten in the
  // partition: the code generator computes on the folded, fused nodes.
  std::vector<NodeGroup> claim(const ir::Graph& g) const override;
  int optimize(ir::Graph& sub) const override;
  std::unique_ptr<rnpu::Program> compile(const ir::Graph& sub, const CompileOptions&) override;
  std::string program_format() const override;
  std::vector<uint8_t> save_program(const rnpu::Program& p) const override;
  // A saved program is checked against the partition and this backend's
  // hardware before it is prepared.
  std::unique_ptr<rnpu::Program> load_program(const ir::Graph& sub, std::span<const uint8_t> data,
                                              const CompileOptions&) override;

 protected:
  // Makes a program runnable where this backend runs it.
  virtual std::unique_ptr<CodegenProgram> prepare(npu::Program p) = 0;
  npu::HwConfig hw_;
};

}  // namespace rnpu::npu
