// Assigns every node to a backend (capability + cost, per-op fallback),
// records why, and groups nodes into partitions that run back to back on
// one backend.  Transfers happen only at partition boundaries.
#pragma once

#include <string>
#include <vector>

#include "backend/backend.h"
#include "ir/graph.h"

namespace rnpu::partition {

// Which backends a session may use, most preferred first.
struct BackendSet {
  std::vector<Backend*> enabled;   // candidates in preference order
  bool by_cost = true;             // "auto": pick by estimated cost, not order
  std::vector<Backend*> disabled;  // registered and available but not enabled (for hints)
  // Runs the control-flow nodes (If/Loop/Scan) it supports, ahead of every
  // other backend: the runtime's host backend (runtime/control_flow.h), set
  // by the Executor.  Their bodies are partitioned separately.
  Backend* control_flow = nullptr;
};

// Resolves Options::backends / allow_fallback against the registry.
// Throws kInvalidArgument for unknown names, kBackendUnavailable when a
// requested backend is absent and fallback is off, or when none is usable.
BackendSet resolve_backends(const std::vector<std::string>& names, bool allow_fallback);

struct Partition {
  Backend* backend = nullptr;
  std::vector<ir::NodeId> nodes;     // execution order
  std::vector<ir::ValueId> inputs;   // non-constant values read, produced elsewhere
  std::vector<ir::ValueId> outputs;  // values produced here and read elsewhere / graph outputs
};

struct PartitionResult {
  std::vector<Partition> partitions;         // execution order
  std::vector<PartitionDecision> decisions;  // one per node, in execution order
  std::vector<ir::NodeId> order;             // all nodes in execution order
};

// Throws ErrorCode::kUnsupportedOp naming the node, the op and each enabled
// backend's reason (with a disabled backend that would take it as hint).
PartitionResult partition_graph(const ir::Graph& g, const BackendSet& set);

// A self-contained graph for one partition (see Backend::compile).
// sub_to_parent[i] is the parent ValueId of subgraph value i.
ir::Graph make_subgraph(const ir::Graph& g, const Partition& p,
                        std::vector<ir::ValueId>* sub_to_parent);

}  // namespace rnpu::partition
