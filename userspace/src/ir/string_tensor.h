// String tensors (ONNX STRING, data type 8).  The byte-buffer tensors of
// the IR and the backends are moved with memcpy, which std::string objects
// do not survive, so a string tensor is its dims plus a shared immutable
// list of elements (ConstTensor::strings, HostTensor::strings).  Sharing
// makes Identity and partition boundaries free, as for sequences.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace rnpu::ir {

using Strings = std::vector<std::string>;
using StringsPtr = std::shared_ptr<const Strings>;

// A string constant of `dims` holding `elems` (numel(dims) of them).
std::shared_ptr<ConstTensor> make_string_constant(std::vector<int64_t> dims, Strings elems);

// True when any input or output of the node is a string tensor: such nodes
// run only on backends with Backend::runs_sequences().
class Graph;
struct Node;
bool touches_strings(const Graph& g, const Node& n);

}  // namespace rnpu::ir
