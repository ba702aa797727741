// Helpers for control-flow nodes (If, Loop, Scan, SequenceMap) and their
// bodies, shared by shape inference and the runtime.
#pragma once

#include <string>

#include "ir/graph.h"

namespace rnpu::ir {

bool is_control_flow(const Node& n);
// The node's ONNX inputs (those before its implicit outer-scope inputs).
inline size_t explicit_inputs(const Node& n) {
  return n.inputs.size() - size_t(n.implicit_inputs);
}
// A body's formal inputs (those before its implicit inputs).
inline size_t formal_inputs(const Graph& b) {
  return b.inputs.size() - b.implicit_inputs;
}
// The body graph in attribute `attr`; throws kMalformedModel naming the node
// when it is missing, not a graph, or its implicit inputs disagree with
// the node's.
const Graph& body_of(const Node& n, const std::string& attr);
// The least specific of two shapes: dims that differ become unknown, a
// rank that differs makes the rank unknown.
Shape merge_shapes(const Shape& a, const Shape& b);

}  // namespace rnpu::ir
