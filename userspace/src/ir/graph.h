// The graph IR: values (edges) and nodes in one Graph.  Ids are indices
// into Graph::values / Graph::nodes; passes mark nodes dead and call
// compact() rather than erasing in place, so ids stay stable inside a pass.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "attribute.h"
#include "tensor.h"

namespace rnpu::ir {

struct Node {
  std::string name;              // unique within the graph (importer names anonymous nodes)
  std::string op;                // ONNX op type, e.g. "Conv"
  std::string domain;            // "" for the default ONNX domain
  int opset = 17;                // opset of `domain` the node was imported at
  std::vector<ValueId> inputs;   // kNoValue for an absent optional input
  std::vector<ValueId> outputs;  // kNoValue for an unused optional output
  Attributes attrs;
  Layout layout = Layout::kAny;  // kNHWC: 4-D activations of this node are NHWC
  bool dead = false;
  // Control flow (If/Loop/Scan): the last `implicit_inputs` entries of
  // `inputs` are not ONNX inputs but the enclosing-scope values the node's
  // bodies read.  Every body lists the same values, in the same order, as
  // its last Graph::implicit_inputs inputs, so passes see the dependency
  // (DCE, folding, partitioning, memory planning) and the mapping survives
  // renames (positional, not by name).
  int implicit_inputs = 0;

  // Fusion results are plain ONNX ops carrying extra attributes:
  //   "rnpu.activation"        string: Relu, LeakyRelu, Clip, Sigmoid, Tanh,
  //                            HardSigmoid, HardSwish, Gelu
  //   "rnpu.activation_alpha"  float (LeakyRelu alpha, Clip min, HardSigmoid alpha)
  //   "rnpu.activation_beta"   float (Clip max, HardSigmoid beta)
  // applied to the node's first output after the op itself.
};

class Graph {
 public:
  std::string name;
  std::map<std::string, int64_t> opsets;  // domain -> version ("" = ai.onnx)
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<ValueId> inputs;   // graph inputs (non-constant)
  std::vector<ValueId> outputs;  // graph outputs
  // Control-flow bodies: the last `implicit_inputs` of `inputs` are values
  // of enclosing scopes (outer-scope reads), bound by the runtime like the
  // formal inputs before them.  0 for a model's main graph.
  size_t implicit_inputs = 0;

  ValueId add_value(Value v);
  // Adds a value with a fresh name derived from `hint`.
  ValueId new_value(const std::string& hint, DType dtype, Shape shape);
  ValueId add_constant(const std::string& hint, std::shared_ptr<const ConstTensor> c);
  NodeId add_node(Node n);  // keeps producer/consumer links up to date

  Value& value(ValueId v) { return values[size_t(v)]; }
  const Value& value(ValueId v) const { return values[size_t(v)]; }
  Node& node(NodeId n) { return nodes[size_t(n)]; }
  const Node& node(NodeId n) const { return nodes[size_t(n)]; }
  ValueId find_value(const std::string& name) const;  // kNoValue if absent
  std::string unique_value_name(const std::string& hint);
  std::string unique_node_name(const std::string& hint);

  // Recomputes Value::producer / consumers from the live nodes.
  void rebuild_links();
  // Live nodes in a topological order; throws kMalformedModel naming a node
  // on a cycle, or a value used before any producer.
  std::vector<NodeId> topo_order() const;
  // Drops dead nodes and values no live node or graph input/output uses,
  // renumbering ids; sorts nodes topologically.
  void compact();
  // Replaces every use of `from` (node inputs and graph outputs) by `to`.
  void replace_uses(ValueId from, ValueId to);
  bool is_graph_output(ValueId v) const;
  size_t live_node_count() const;

  // Structural checks (ids in range, single producer, inputs defined);
  // throws kMalformedModel naming the node.
  void validate() const;

 private:
  std::unordered_map<std::string, ValueId> by_name_;
  std::unordered_map<std::string, int> node_names_;
};

// The first float8 or int4/uint4 type among the node's inputs and outputs
// (kUndefined if none): backends whose kernels predate opsets 19/21 refuse
// such nodes rather than reading the bytes as another type.
DType narrow_type_of(const Graph& g, const Node& n);

// Throws rnpu::Error for `node` with the node's name and op filled in.
[[noreturn]] void node_error(ErrorCode code, const Node& node, const std::string& reason,
                             const std::string& backend_hint = {});

}  // namespace rnpu::ir
