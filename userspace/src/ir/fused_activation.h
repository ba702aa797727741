// The activation a fusion folded into its producer (rnpu.activation,
// rnpu.activation_alpha, rnpu.activation_beta), with ONNX's parameter
// defaults filled in: one definition for the fusion pass and every backend,
// so a node that carries no explicit alpha/beta means the same everywhere.
#pragma once

#include <string>

#include "ir/graph.h"

namespace rnpu::ir {

// ONNX's defaults for an activation op's own parameters: LeakyRelu alpha
// 0.01, HardSigmoid alpha 0.2 and beta 0.5, Clip bounds -inf and +inf.
float activation_default_alpha(const std::string& op);
float activation_default_beta(const std::string& op);

struct FusedActivation {
  std::string op;  // empty: nothing fused
  float alpha = 0;
  float beta = 0;
};

FusedActivation fused_activation(const Node& n);

}  // namespace rnpu::ir
