// Per-partition optimisation (partition::optimize_partitions): each backend
// rewrites the subgraph of its own partitions, and the result replaces the
// partition's nodes in the model graph, so the executor, the memory plan
// and saved artifacts all see the graph the backends run.
#include <unordered_map>

#include "partition/partitioner.h"

namespace rnpu::partition {

namespace {

// Replaces p's nodes in g by the live nodes of sub, its optimised subgraph
// (sub_to_parent maps sub's original values to g's).
void splice(ir::Graph& g, Partition& p, const ir::Graph& sub,
            std::vector<ir::ValueId> sub_to_parent) {
  auto& map = sub_to_parent;
  auto boundary_kept = [&](const std::vector<ir::ValueId>& in_sub,
                           const std::vector<ir::ValueId>& in_parent) {
    if (in_sub.size() != in_parent.size()) return false;
    for (size_t i = 0; i < in_sub.size(); ++i)
      if (in_sub[i] < 0 || size_t(in_sub[i]) >= map.size() ||
          map[size_t(in_sub[i])] != in_parent[i])
        return false;
    return true;
  };
  if (!boundary_kept(sub.inputs, p.inputs) || !boundary_kept(sub.outputs, p.outputs))
    throw Error(ErrorCode::kInternal,
                "backend '" + p.backend->name() + "': optimize() changed its partition's boundary");
  const size_t known = map.size();
  // What the rewrites learnt about existing values (quantisation of the
  // int8 values a folded region reads and writes, constants folded in).
  for (size_t j = 0; j < known; ++j) {
    const ir::Value& sv = sub.values[j];
    ir::Value& pv = g.value(map[j]);
    pv.kind = sv.kind;
    pv.dtype = sv.dtype;
    pv.shape = sv.shape;
    pv.layout = sv.layout;
    pv.quant = sv.quant;
    pv.constant = sv.constant;
  }
  for (size_t j = known; j < sub.values.size(); ++j) map.push_back(g.add_value(sub.values[j]));
  // A node rewritten in place keeps its name and its slot, so the model
  // order (lowest id first) is what it was; a new one is appended with a
  // name unique in g.
  std::unordered_map<std::string, ir::NodeId> slot;
  for (ir::NodeId id : p.nodes) {
    slot[g.node(id).name] = id;
    g.node(id).dead = true;
  }
  std::vector<ir::NodeId> nodes;
  for (ir::NodeId sid : sub.topo_order()) {
    ir::Node n = sub.node(sid);
    for (ir::ValueId& v : n.inputs)
      if (v != ir::kNoValue) v = map[size_t(v)];
    for (ir::ValueId& v : n.outputs)
      if (v != ir::kNoValue) v = map[size_t(v)];
    if (auto it = slot.find(n.name); it != slot.end()) {
      ir::NodeId id = it->second;
      slot.erase(it);
      g.node(id) = std::move(n);
      g.node(id).dead = false;
      nodes.push_back(id);
      continue;
    }
    std::string name = g.unique_node_name(n.name);
    ir::NodeId id = g.add_node(std::move(n));
    g.node(id).name = name;
    nodes.push_back(id);
  }
  p.nodes = std::move(nodes);
}

}  // namespace

int optimize_partitions(ir::Graph& g, PartitionResult& r) {
  int total = 0;
  for (Partition& p : r.partitions) {
    // Boundaries as earlier partitions' rewrites left the graph.
    g.rebuild_links();
    compute_boundaries(g, r.partitions);
    std::vector<ir::ValueId> map;
    ir::Graph sub = make_subgraph(g, p, &map);
    int k = p.backend->optimize(sub);
    if (k <= 0) continue;
    total += k;
    splice(g, p, sub, std::move(map));
  }
  if (!total) return 0;

  // Compact g, then order and group it again as partition_graph does, with
  // each node on its partition's backend: the result is what partitioning
  // the rewritten graph would give (partitions of one backend that are now
  // adjacent merge; one left empty by folding disappears).
  std::unordered_map<std::string, std::string> reason_of;
  for (const PartitionDecision& d : r.decisions) reason_of[d.node] = d.reason;
  std::unordered_map<std::string, Backend*> backend_of;
  for (const Partition& p : r.partitions)
    for (ir::NodeId id : p.nodes) backend_of[g.node(id).name] = p.backend;
  g.compact();
  std::vector<Backend*> chosen(g.nodes.size(), nullptr);
  std::vector<std::string> reason(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const std::string& name = g.nodes[i].name;
    auto b = backend_of.find(name);
    if (b == backend_of.end())
      throw Error(ErrorCode::kInternal, "node '" + name + "' lost its partition");
    chosen[i] = b->second;
    auto why = reason_of.find(name);
    reason[i] = why != reason_of.end()
                    ? why->second
                    : b->second->name() + ": made by its optimize() from the nodes assigned to it";
  }
  g.rebuild_links();
  group_by_backend(g, chosen, reason, std::vector<char>(g.nodes.size(), 0), &r);
  return total;
}

}  // namespace rnpu::partition
