#include "ir/graph.h"

#include <algorithm>

namespace rnpu::ir {

void node_error(ErrorCode code, const Node& node, const std::string& reason,
                const std::string& backend_hint) {
  throw Error(code, reason, node.name, node.op, backend_hint);
}

std::string Graph::unique_value_name(const std::string& hint) {
  std::string base = hint.empty() ? "v" : hint;
  if (!by_name_.count(base)) return base;
  for (int i = 1;; ++i) {
    std::string n = base + "_" + std::to_string(i);
    if (!by_name_.count(n)) return n;
  }
}

std::string Graph::unique_node_name(const std::string& hint) {
  if (node_names_.empty())
    for (const Node& n : nodes) node_names_[n.name] = 1;
  std::string base = hint.empty() ? "node" : hint;
  std::string n = base;
  for (int i = 1; node_names_.count(n); ++i) n = base + "_" + std::to_string(i);
  node_names_[n] = 1;
  return n;
}

ValueId Graph::add_value(Value v) {
  if (v.name.empty() || by_name_.count(v.name)) v.name = unique_value_name(v.name);
  ValueId id = ValueId(values.size());
  by_name_[v.name] = id;
  v.producer = kNoNode;
  v.consumers.clear();
  values.push_back(std::move(v));
  return id;
}

ValueId Graph::new_value(const std::string& hint, DType dtype, Shape shape) {
  Value v;
  v.name = unique_value_name(hint);
  v.dtype = dtype;
  v.shape = std::move(shape);
  return add_value(std::move(v));
}

ValueId Graph::add_constant(const std::string& hint, std::shared_ptr<const ConstTensor> c) {
  Value v;
  v.name = unique_value_name(hint);
  v.dtype = c->dtype;
  v.shape = Shape(c->dims);
  v.constant = std::move(c);
  return add_value(std::move(v));
}

NodeId Graph::add_node(Node n) {
  if (n.name.empty() || (!node_names_.empty() && node_names_.count(n.name)))
    n.name = unique_node_name(n.name.empty() ? n.op : n.name);
  else if (!node_names_.empty())
    node_names_[n.name] = 1;
  NodeId id = NodeId(nodes.size());
  for (ValueId v : n.inputs)
    if (v != kNoValue) values[size_t(v)].consumers.push_back(id);
  for (ValueId v : n.outputs)
    if (v != kNoValue) values[size_t(v)].producer = id;
  nodes.push_back(std::move(n));
  return id;
}

ValueId Graph::find_value(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? kNoValue : it->second;
}

void Graph::rebuild_links() {
  for (Value& v : values) {
    v.producer = kNoNode;
    v.consumers.clear();
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.dead) continue;
    for (ValueId v : n.inputs)
      if (v != kNoValue) {
        auto& c = values[size_t(v)].consumers;
        if (c.empty() || c.back() != NodeId(i)) c.push_back(NodeId(i));
      }
    for (ValueId v : n.outputs)
      if (v != kNoValue) values[size_t(v)].producer = NodeId(i);
  }
}

std::vector<NodeId> Graph::topo_order() const {
  // Kahn's algorithm over live nodes; producer of each value found by scan
  // so a stale link cache cannot mislead it.
  std::vector<NodeId> producer(values.size(), kNoNode);
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].dead) continue;
    for (ValueId v : nodes[i].outputs)
      if (v != kNoValue) producer[size_t(v)] = NodeId(i);
  }
  std::vector<int> pending(nodes.size(), 0);
  std::vector<std::vector<NodeId>> users(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.dead) continue;
    for (ValueId v : n.inputs) {
      if (v == kNoValue) continue;
      NodeId p = producer[size_t(v)];
      if (p == kNoNode) {
        const Value& val = values[size_t(v)];
        bool is_input = std::find(inputs.begin(), inputs.end(), v) != inputs.end();
        if (!val.is_constant() && !is_input)
          node_error(ErrorCode::kMalformedModel, n,
                     "input '" + val.name +
                         "' is neither a graph input, an initializer nor "
                         "produced by any node");
        continue;
      }
      ++pending[i];
      users[size_t(p)].push_back(NodeId(i));
    }
  }
  std::vector<NodeId> order, ready;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (!nodes[i].dead && pending[i] == 0) ready.push_back(NodeId(i));
  // Keep model order where possible: process ready nodes lowest id first.
  std::make_heap(ready.begin(), ready.end(), std::greater<>());
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), std::greater<>());
    NodeId n = ready.back();
    ready.pop_back();
    order.push_back(n);
    for (NodeId u : users[size_t(n)])
      if (--pending[size_t(u)] == 0) {
        ready.push_back(u);
        std::push_heap(ready.begin(), ready.end(), std::greater<>());
      }
  }
  if (order.size() != live_node_count()) {
    for (size_t i = 0; i < nodes.size(); ++i)
      if (!nodes[i].dead && pending[i] > 0)
        node_error(ErrorCode::kMalformedModel, nodes[i], "graph has a cycle through this node");
  }
  return order;
}

size_t Graph::live_node_count() const {
  return size_t(std::count_if(nodes.begin(), nodes.end(), [](const Node& n) { return !n.dead; }));
}

bool Graph::is_graph_output(ValueId v) const {
  return std::find(outputs.begin(), outputs.end(), v) != outputs.end();
}

void Graph::replace_uses(ValueId from, ValueId to) {
  for (Node& n : nodes) {
    if (n.dead) continue;
    for (ValueId& v : n.inputs)
      if (v == from) v = to;
  }
  for (ValueId& v : outputs)
    if (v == from) v = to;
}

void Graph::compact() {
  std::vector<NodeId> order = topo_order();
  std::vector<char> used(values.size(), 0);
  for (ValueId v : inputs) used[size_t(v)] = 1;
  for (ValueId v : outputs) used[size_t(v)] = 1;
  for (NodeId n : order) {
    for (ValueId v : nodes[size_t(n)].inputs)
      if (v != kNoValue) used[size_t(v)] = 1;
    for (ValueId v : nodes[size_t(n)].outputs)
      if (v != kNoValue) used[size_t(v)] = 1;
  }
  std::vector<ValueId> remap(values.size(), kNoValue);
  std::vector<Value> nv;
  for (size_t i = 0; i < values.size(); ++i)
    if (used[i]) {
      remap[i] = ValueId(nv.size());
      nv.push_back(std::move(values[i]));
    }
  std::vector<Node> nn;
  nn.reserve(order.size());
  for (NodeId n : order) {
    Node node = std::move(nodes[size_t(n)]);
    for (ValueId& v : node.inputs)
      if (v != kNoValue) v = remap[size_t(v)];
    for (ValueId& v : node.outputs)
      if (v != kNoValue) v = remap[size_t(v)];
    nn.push_back(std::move(node));
  }
  for (ValueId& v : inputs) v = remap[size_t(v)];
  for (ValueId& v : outputs) v = remap[size_t(v)];
  values = std::move(nv);
  nodes = std::move(nn);
  by_name_.clear();
  for (size_t i = 0; i < values.size(); ++i) by_name_[values[i].name] = ValueId(i);
  node_names_.clear();
  rebuild_links();
}

void Graph::validate() const {
  std::vector<NodeId> producer(values.size(), kNoNode);
  auto in_range = [&](ValueId v) { return v == kNoValue || (v >= 0 && size_t(v) < values.size()); };
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.dead) continue;
    for (ValueId v : n.inputs)
      if (!in_range(v)) node_error(ErrorCode::kInternal, n, "input id out of range");
    for (ValueId v : n.outputs) {
      if (!in_range(v)) node_error(ErrorCode::kInternal, n, "output id out of range");
      if (v == kNoValue) continue;
      if (producer[size_t(v)] != kNoNode)
        node_error(ErrorCode::kMalformedModel, n,
                   "output '" + values[size_t(v)].name + "' is also produced by node '" +
                       nodes[size_t(producer[size_t(v)])].name + "'");
      if (values[size_t(v)].is_constant())
        node_error(ErrorCode::kMalformedModel, n,
                   "output '" + values[size_t(v)].name + "' is also an initializer");
      if (std::find(inputs.begin(), inputs.end(), v) != inputs.end())
        node_error(ErrorCode::kMalformedModel, n,
                   "output '" + values[size_t(v)].name + "' is also a graph input");
      producer[size_t(v)] = NodeId(i);
    }
  }
  for (ValueId v : outputs) {
    if (!in_range(v) || v == kNoValue)
      throw Error(ErrorCode::kMalformedModel, "graph output id out of range");
    const Value& val = values[size_t(v)];
    bool is_input = std::find(inputs.begin(), inputs.end(), v) != inputs.end();
    if (producer[size_t(v)] == kNoNode && !val.is_constant() && !is_input)
      throw Error(ErrorCode::kMalformedModel,
                  "graph output '" + val.name + "' is not produced by any node");
  }
  (void)topo_order();  // cycles and undefined inputs
}

DType narrow_type_of(const Graph& g, const Node& n) {
  for (const auto* list : {&n.inputs, &n.outputs})
    for (ValueId v : *list) {
      if (v == kNoValue) continue;
      DType t = g.value(v).dtype;
      if (dtype_is_float8(t) || dtype_is_int4(t)) return t;
    }
  return DType::kUndefined;
}

}  // namespace rnpu::ir
