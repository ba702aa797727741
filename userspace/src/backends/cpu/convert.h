// Conversions from the graph IR to the CPU kernels' own types.  The kernels
// do not include the IR so they can be unit-tested (and reused) alone.
#pragma once

#include <string>

#include "backend/backend.h"
#include "ir/graph.h"
#include "kernels/attrs.h"
#include "kernels/quantized.h"
#include "kernels/tensor.h"

namespace rnpu::cpu {

inline DType to_cpu(ir::DType t) {
  return DType(uint8_t(t));
}
inline ir::DType to_ir(DType t) {
  return ir::DType(uint8_t(t));
}

// A view of constant data (shares ownership of the bytes).
Tensor const_view(const std::shared_ptr<const ir::ConstTensor>& c);
// A view of a runtime tensor.
Tensor host_view(const HostTensor& h);

// Node attributes for the kernels; graph-valued attributes are reported in
// *unsupported (the CPU backend does not run control flow).
Attrs to_cpu_attrs(const ir::Attributes& a, std::string* unsupported);

// The value's quantisation, if the QDQ pass gave it one.
std::optional<QuantSpec> quant_of(const ir::Value& v);

}  // namespace rnpu::cpu
