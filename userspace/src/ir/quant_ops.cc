#include "ir/quant_ops.h"

#include <set>

namespace rnpu::ir {

bool quant_aware_op(const std::string& op) {
  static const std::set<std::string> ops = {
      "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv",
      "QLinearMatMul",  "ConvInteger",      "MatMulInteger"};
  return ops.count(op) != 0;
}

}  // namespace rnpu::ir
