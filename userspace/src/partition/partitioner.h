// Assigns every node to a backend (capability + cost, per-op fallback),
// records why, and groups nodes into partitions that run back to back on
// one backend.  Transfers happen only at partition boundaries.
#pragma once

#include <string>
#include <vector>

#include "artifact/graph_io.h"
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
// Groups a backend claims (Backend::claim) are assigned whole: to that
// backend, when it is picked for the group's first node, or not at all
// (their nodes are then decided one by one).
PartitionResult partition_graph(const ir::Graph& g, const BackendSet& set);

// Orders the nodes of g (topologically, staying on one backend as long as
// the dependencies allow, lowest id first) and groups runs of one backend
// into partitions, given each live node's backend and reason; nodes marked
// in_unit (assigned with a claimed group) are kept next to their group.
// Fills out's partitions (with boundaries), decisions and order.
void group_by_backend(const ir::Graph& g, const std::vector<Backend*>& chosen,
                      const std::vector<std::string>& reason, const std::vector<char>& in_unit,
                      PartitionResult* out);

// Fills every partition's inputs and outputs from its nodes (links built).
void compute_boundaries(const ir::Graph& g, std::vector<Partition>& parts);

// After assignment: each partition's backend optimises its subgraph
// (Backend::optimize), and the rewritten nodes replace the partition's in
// g, which is then compacted; partitions, order and decisions are updated
// (a node made by a rewrite is reported with the reason of the node it
// replaced, or as made by the backend).  Returns the number of rewrites.
int optimize_partitions(ir::Graph& g, PartitionResult& r);

// The partitions a compiled artifact stored (artifact/graph_io.h), checked
// as untrusted input against g and `set`: every backend named must be
// enabled (or an enabled one sharing its program format stands in: sim
// for npu), must support every node placed on it, and the shapes stored
// must be the ones shape inference derives.  Throws kBackendUnavailable
// or kMalformedModel naming the partition and node.
PartitionResult apply_plan(const ir::Graph& g, const BackendSet& set,
                           const std::vector<artifact::PlannedPartition>& plan);

// A self-contained graph for one partition (see Backend::compile).
// sub_to_parent[i] is the parent ValueId of subgraph value i.
ir::Graph make_subgraph(const ir::Graph& g, const Partition& p,
                        std::vector<ir::ValueId>* sub_to_parent);

}  // namespace rnpu::partition
