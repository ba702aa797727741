// Activations fused into a producer by the core's fusion pass
// ("rnpu.activation" on the node), applied in place to output 0.
#pragma once

#include <string>

#include "tensor.h"

namespace rnpu::cpu {

// True for the activation names the fusion pass emits.
bool known_activation(const std::string& name);
// Applies `name` to a float32/float64 tensor in place.
void apply_activation(Tensor& t, const std::string& name, float alpha, float beta);

}  // namespace rnpu::cpu
