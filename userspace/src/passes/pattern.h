// Small helpers shared by the rewriting passes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "ir/graph.h"

namespace rnpu::passes {

// Producer node of v if it is live, else nullptr.
ir::Node* producer(ir::Graph& g, ir::ValueId v);
// True when v is read by exactly one live node and is not a graph output.
bool single_use(const ir::Graph& g, ir::ValueId v);
// The only live consumer of v (see single_use), else nullptr.
ir::Node* sole_consumer(ir::Graph& g, ir::ValueId v);
// Value of a constant float/integer scalar (any shape with one element).
std::optional<double> const_scalar(const ir::Graph& g, ir::ValueId v);
// Constant float32 data of v, else nullptr.
const ir::ConstTensor* const_f32(const ir::Graph& g, ir::ValueId v);
// Whether any of `backends` supports node n (already placed in g).
bool any_supports(const ir::Graph& g, const ir::Node& n, const std::vector<Backend*>& backends);
// The other input of a binary node, given one of them; kNoValue if neither.
ir::ValueId other_input(const ir::Node& n, ir::ValueId v);

}  // namespace rnpu::passes
