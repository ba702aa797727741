#include "npu/codegen_backend.h"

#include "passes/claim.h"

namespace rnpu::npu {

namespace {

constexpr passes::RewriteSet kRewrites{.qdq = true, .fusion = true};

}  // namespace

Tolerance CodegenBackend::tolerance(ir::DType t) const {
  if (t == DataType::kInt8 || t == DataType::kUInt8) return {1.0, 0.0};
  return {1e-2, 1e-2};
}

Support CodegenBackend::supports(const ir::Graph& g, const ir::Node& n) const {
  return npu::supports(g, n);
}

double CodegenBackend::estimate_cost_ns(const ir::Graph& g, const ir::Node& n) const {
  return npu::estimate_cost_ns(g, n, hw_);
}

std::vector<NodeGroup> CodegenBackend::claim(const ir::Graph& g) const {
  return passes::claim_rewrites(g, *this, kRewrites);
}

int CodegenBackend::optimize(ir::Graph& sub) const {
  return passes::optimize_rewrites(sub, *this, kRewrites);
}

std::unique_ptr<rnpu::Program> CodegenBackend::compile(const ir::Graph& sub,
                                                       const CompileOptions&) {
  return prepare(npu::compile(sub, hw_));
}

std::string CodegenBackend::program_format() const {
  return npu::kProgramFormat;
}

std::vector<uint8_t> CodegenBackend::save_program(const rnpu::Program& p) const {
  return npu::save_program(static_cast<const CodegenProgram&>(p).prog);
}

std::unique_ptr<rnpu::Program> CodegenBackend::load_program(const ir::Graph& sub,
                                                            std::span<const uint8_t> data,
                                                            const CompileOptions&) {
  npu::Program p = npu::load_program(data);
  npu::check_program(p, sub);
  std::string why;
  if (!p.hw.runs_on(hw_, &why))
    throw Error(ErrorCode::kMalformedModel, "compiled for other hardware (" + p.hw.str() + "; " +
                                                name() + ": " + hw_.str() + "): " + why);
  return prepare(std::move(p));
}

}  // namespace rnpu::npu
