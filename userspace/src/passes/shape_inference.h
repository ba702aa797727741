// Type and shape inference over the whole graph, per-op shape functions
// included.  Dynamic dims stay unknown (-1) unless they can be derived; at
// run time the runtime re-runs inference with the actual input shapes so
// planned memory fits exactly.  Ops without a shape function (or whose
// output shape depends on data) leave their outputs unknown; the runtime
// then allocates those when the backend reports the real shape.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace rnpu::passes {

// Infers every value's dtype/shape in topological order.  Throws
// rnpu::Error(kShapeMismatch / kMalformedModel) naming the node when inputs
// are inconsistent (e.g. Add of [2,3] and [4,3], Conv channel mismatch).
void infer_shapes(ir::Graph& g);

// Whether an op has a shape function (tests and `rnpu inspect` use it).
bool has_shape_function(const std::string& op);

// Broadcasts ONNX-style (numpy multidirectional); throws kShapeMismatch.
ir::Shape broadcast_shapes(const ir::Shape& a, const ir::Shape& b, const ir::Node& n);

}  // namespace rnpu::passes
