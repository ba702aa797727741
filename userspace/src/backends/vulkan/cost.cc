#include "cost.h"

#include <algorithm>

namespace rnpu::vk {

bool op_work(const ir::Graph& g, const ir::Node& n, double* flops, double* bytes, int* dispatches) {
  *flops = 0;
  *bytes = 0;
  *dispatches = 1;
  for (ir::ValueId v : n.inputs) {
    if (v == ir::kNoValue) continue;
    auto e = g.value(v).shape.numel();
    if (!e) {
      if (g.value(v).constant) continue;
      return false;
    }
    *bytes += double(*e) * double(ir::dtype_size(g.value(v).dtype));
  }
  double out = 0;
  for (ir::ValueId v : n.outputs) {
    if (v == ir::kNoValue) continue;
    auto e = g.value(v).shape.numel();
    if (!e) return false;
    out += double(*e);
    *bytes += double(*e) * double(ir::dtype_size(g.value(v).dtype));
  }
  const std::string& op = n.op;
  if ((op == "Conv" || op == "ConvTranspose") && n.inputs.size() >= 2) {
    const ir::Shape& w = g.value(n.inputs[1]).shape;
    auto wn = w.numel();
    if (!wn || w.rank() < 2 || w.dims[0].value <= 0) return false;
    double per_out = double(*wn) / double(w.dims[0].value);
    if (op == "ConvTranspose") {
      auto in = g.value(n.inputs[0]).shape.numel();
      if (!in) return false;
      *flops = 2.0 * double(*in) * per_out;
    } else {
      *flops = 2.0 * out * per_out;
    }
  } else if ((op == "MatMul" || op == "Gemm") && n.inputs.size() >= 2) {
    const ir::Shape& a = g.value(n.inputs[0]).shape;
    if (!a.is_static() || a.rank() < 1) return false;
    int64_t k = a.dims.back().value;
    if (op == "Gemm" && n.attrs.get_int("transA", 0)) k = a.dims.front().value;
    *flops = 2.0 * out * double(k);
  } else if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" ||
             op == "Identity" || op == "Dropout") {
    *bytes = 0;  // views: no kernel
    *dispatches = 0;
  } else if (op == "Concat") {
    *dispatches = int(n.inputs.size());
  }
  return true;
}

double estimate_ns(const Rates& r, const ir::Graph& g, const ir::Node& n) {
  double flops, bytes;
  int disp;
  if (!op_work(g, n, &flops, &bytes, &disp)) return -1;
  double compute = r.flops_per_ns > 0 ? flops / r.flops_per_ns : 0;
  double memory = r.bytes_per_ns > 0 ? bytes / r.bytes_per_ns : 0;
  return double(disp) * r.dispatch_ns + std::max(compute, memory);
}

}  // namespace rnpu::vk
