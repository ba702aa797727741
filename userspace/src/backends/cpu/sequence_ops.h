// The cpu backend's sequence and optional ops (SequenceConstruct/Empty/At/
// Insert/Erase/Length, SplitToSequence, ConcatFromSequence, Optional,
// OptionalGetElement, OptionalHasElement, and Identity on sequences and
// optionals).  They work on the runtime's HostTensor directly rather than
// through the kernel registry: their values are shared element lists
// (HostTensor::seq) and absent optionals, which the kernels' Tensor type
// does not describe.
#pragma once

#include <string>

#include "program.h"

namespace rnpu::cpu {

// Ops run here when any of their values is a sequence or an optional, and
// always for the ops that exist only for them.
bool is_sequence_op(const std::string& op);
bool touches_sequences(const ir::Graph& g, const ir::Node& n);
// Capability check for such a node (never throws).
Support sequence_support(const ir::Graph& g, const ir::Node& n);
// Runs one step of such a node; throws rnpu::Error naming the node.
void run_sequence_step(const Step& s, RunContext& ctx);

}  // namespace rnpu::cpu
