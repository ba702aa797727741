// The cpu backend's string-tensor ops: StringNormalizer, StringConcat,
// StringSplit, RegexFullMatch, Equal, Cast/CastLike to and from strings,
// ai.onnx.ml LabelEncoder with string keys or values, Identity, and the
// data-movement ops (string_move.cc).  They
// run on the runtime's HostTensor directly rather than through the kernel
// registry: a string tensor is a shared list of std::string
// (HostTensor::strings), which the kernels' byte-buffer Tensor cannot hold.
#pragma once

#include "program.h"

namespace rnpu::cpu {

// Capability check for a node touching a string tensor (never throws).
Support string_support(const ir::Graph& g, const ir::Node& n);
// Runs one step of such a node; throws rnpu::Error naming the node.
void run_string_step(const Step& s, RunContext& ctx);

}  // namespace rnpu::cpu
