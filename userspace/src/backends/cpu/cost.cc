#include "cost.h"

#include <algorithm>

namespace rnpu::cpu {

namespace {

// Measured with bench/cpu_gemm_bench (1024^3 sgemm through XNNPACK):
// ~112 GFLOP/s on one core; convolutions reach roughly 70% of that.
constexpr double kGemmFlopsPerNs = 80.0;
// Reference kernels for ops outside the fast path: a few GFLOP/s.
constexpr double kRefFlopsPerNs = 4.0;
// Streaming elementwise/data-movement ops: about 1 element per ns per core
// including the runtime's per-op overhead.
constexpr double kElemsPerNs = 1.0;
constexpr double kOpOverheadNs = 300.0;

std::optional<int64_t> numel(const ir::Graph& g, ir::ValueId v) {
  if (v == ir::kNoValue) return std::nullopt;
  return g.value(v).shape.numel();
}

}  // namespace

double estimate_node_ns(const ir::Graph& g, const ir::Node& n, int threads) {
  double t = std::max(threads, 1);
  if (n.outputs.empty()) return kOpOverheadNs;
  auto out = numel(g, n.outputs[0]);
  if (!out) return -1;
  const std::string& op = n.op;
  if ((op == "Conv" || op == "ConvTranspose") && n.inputs.size() >= 2) {
    const ir::Shape& w = g.value(n.inputs[1]).shape;
    auto wn = w.numel();
    if (!wn || w.rank() < 2 || w.dims[0].value <= 0) return -1;
    // MACs = output elements * (weights per output channel).
    double macs = double(*out) * double(*wn) / double(w.dims[0].value);
    // ConvTranspose: every input element feeds (weights per input channel).
    if (op == "ConvTranspose")
      macs = double(numel(g, n.inputs[0]).value_or(0)) * double(*wn) / double(w.dims[0].value);
    bool fast = g.value(n.inputs[0]).dtype == ir::DType::kFloat32 && w.rank() == 4;
    return kOpOverheadNs + 2 * macs / ((fast ? kGemmFlopsPerNs : kRefFlopsPerNs) * t);
  }
  if ((op == "MatMul" || op == "Gemm") && n.inputs.size() >= 2) {
    const ir::Shape& a = g.value(n.inputs[0]).shape;
    if (!a.is_static() || a.rank() < 1) return -1;
    int64_t k = a.dims.back().value;
    if (op == "Gemm" && n.attrs.get_int("transA", 0)) k = a.dims.front().value;
    double macs = double(*out) * double(k);
    bool fast = g.value(n.inputs[0]).dtype == ir::DType::kFloat32;
    return kOpOverheadNs + 2 * macs / ((fast ? kGemmFlopsPerNs : kRefFlopsPerNs) * t);
  }
  // The fast path runs these as zero-copy views of their input.
  if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" ||
      op == "Identity" || op == "Dropout")
    return kOpOverheadNs;
  int64_t elems = *out;
  for (ir::ValueId v : n.inputs)
    if (auto e = numel(g, v)) elems = std::max(elems, *e);
  return kOpOverheadNs + double(elems) / (kElemsPerNs * t);
}

}  // namespace rnpu::cpu
