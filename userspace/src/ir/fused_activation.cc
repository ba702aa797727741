#include "ir/fused_activation.h"

#include <limits>

namespace rnpu::ir {

float activation_default_alpha(const std::string& op) {
  if (op == "LeakyRelu") return 0.01f;
  if (op == "HardSigmoid") return 0.2f;
  if (op == "Clip") return -std::numeric_limits<float>::infinity();
  return 0;
}

float activation_default_beta(const std::string& op) {
  if (op == "HardSigmoid") return 0.5f;
  if (op == "Clip") return std::numeric_limits<float>::infinity();
  return 0;
}

FusedActivation fused_activation(const Node& n) {
  FusedActivation a;
  a.op = n.attrs.get_string("rnpu.activation", "");
  if (a.op.empty()) return a;
  a.alpha = n.attrs.get_float("rnpu.activation_alpha", activation_default_alpha(a.op));
  a.beta = n.attrs.get_float("rnpu.activation_beta", activation_default_beta(a.op));
  return a;
}

}  // namespace rnpu::ir
