// One node evaluated on the reference kernels (kernels/), outside any
// program or backend object: what constant folding needs at load time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace rnpu::cpu {

// Runs node n of g, whose inputs must all be constants (or absent), on its
// reference kernel.  Returns one tensor per output (nullptr for an absent
// optional output), or an empty vector with *why set when the node cannot be
// evaluated this way (no kernel for its types, sequences, strings, control
// flow, quantisation annotations, a result over max_bytes, a kernel error).
std::vector<std::shared_ptr<ir::ConstTensor>> evaluate_constant_node(const ir::Graph& g,
                                                                     const ir::Node& n,
                                                                     size_t max_bytes,
                                                                     std::string* why);

}  // namespace rnpu::cpu
