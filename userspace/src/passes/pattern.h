// Small helpers shared by the rewriting passes, and the contract between
// the rewrite libraries (qdq.h, fusion.h) and the backends that call them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "ir/graph.h"

namespace rnpu::passes {

// Whether a rewritten or new node (already placed in g) may be kept; a
// backend passes its own supports() (accept_by).
using Accept = std::function<bool(const ir::Graph&, const ir::Node&)>;
Accept accept_by(const Backend& b);

// Per rewrite, the node holding the result and the nodes it removed (ids of
// the graph the rewrite ran on: see Rewrite::compact).
struct RewriteLog {
  struct Entry {
    ir::NodeId result = ir::kNoNode;
    std::vector<ir::NodeId> removed;
  };
  std::vector<Entry> entries;
};

struct Rewrite {
  Accept accept;
  RewriteLog* log = nullptr;  // optional record of every rewrite
  // Compact the graph afterwards.  False keeps every node and value id
  // (removed nodes are only marked dead): a backend's optimize() must keep
  // its subgraph's boundary ids, and claims map results back to nodes.
  bool compact = true;
};

// Producer node of v if it is live, else nullptr.
ir::Node* producer(ir::Graph& g, ir::ValueId v);
const ir::Node* producer(const ir::Graph& g, ir::ValueId v);
// True when v is read by exactly one live node and is not a graph output.
bool single_use(const ir::Graph& g, ir::ValueId v);
// The only live consumer of v (see single_use), else nullptr.
ir::Node* sole_consumer(ir::Graph& g, ir::ValueId v);
const ir::Node* sole_consumer(const ir::Graph& g, ir::ValueId v);
// Value of a constant float/integer scalar (any shape with one element).
std::optional<double> const_scalar(const ir::Graph& g, ir::ValueId v);
// Constant float32 data of v, else nullptr.
const ir::ConstTensor* const_f32(const ir::Graph& g, ir::ValueId v);
// The other input of a binary node, given one of them; kNoValue if neither.
ir::ValueId other_input(const ir::Node& n, ir::ValueId v);
// Id of a node referenced by pointer into g.nodes.
inline ir::NodeId id_of(const ir::Graph& g, const ir::Node* n) {
  return ir::NodeId(n - g.nodes.data());
}

}  // namespace rnpu::passes
