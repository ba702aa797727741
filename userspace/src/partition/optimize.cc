// Per-partition optimisation (partition::optimize_partitions): each backend
// rewrites the subgraph of its own partitions, and the result replaces the
// partition's nodes in the model graph, so the executor, the memory plan
// and saved artifacts all see the graph the backends run.
#include <unordered_map>
#include <unordered_set>

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
  std::unordered_set<std::string> old_names;
  for (ir::NodeId id : p.nodes) {
    old_names.insert(g.node(id).name);
    g.node(id).dead = true;
  }
  std::vector<ir::NodeId> nodes;
  for (ir::NodeId sid : sub.topo_order()) {
    ir::Node n = sub.node(sid);
    for (ir::ValueId& v : n.inputs)
      if (v != ir::kNoValue) v = map[size_t(v)];
    for (ir::ValueId& v : n.outputs)
      if (v != ir::kNoValue) v = map[size_t(v)];
    // A node rewritten in place keeps its name (its dead original goes at
    // compaction); a new one gets a name unique in g.
    std::string name = old_names.erase(n.name) ? n.name : g.unique_node_name(n.name);
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

  // Compact g; partitions find their nodes again by (unique) name.
  std::unordered_map<std::string, std::string> reason_of;
  for (const PartitionDecision& d : r.decisions) reason_of[d.node] = d.reason;
  std::vector<std::vector<std::string>> names(r.partitions.size());
  for (size_t pi = 0; pi < r.partitions.size(); ++pi)
    for (ir::NodeId id : r.partitions[pi].nodes) names[pi].push_back(g.node(id).name);
  // A partition whose nodes were all folded into constants is dropped.
  for (size_t pi = r.partitions.size(); pi-- > 0;)
    if (r.partitions[pi].nodes.empty()) {
      r.partitions.erase(r.partitions.begin() + ptrdiff_t(pi));
      names.erase(names.begin() + ptrdiff_t(pi));
    }
  g.compact();
  std::unordered_map<std::string, ir::NodeId> by_name;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!by_name.emplace(g.nodes[i].name, ir::NodeId(i)).second)
      throw Error(ErrorCode::kInternal, "two nodes named '" + g.nodes[i].name + "'");
  r.order.clear();
  r.decisions.clear();
  for (size_t pi = 0; pi < r.partitions.size(); ++pi) {
    Partition& p = r.partitions[pi];
    p.nodes.clear();
    for (const std::string& name : names[pi]) {
      auto it = by_name.find(name);
      if (it == by_name.end())
        throw Error(ErrorCode::kInternal, "node '" + name + "' lost in compaction");
      p.nodes.push_back(it->second);
      r.order.push_back(it->second);
      const ir::Node& n = g.node(it->second);
      auto why = reason_of.find(name);
      r.decisions.push_back({n.name, n.op, p.backend->name(),
                             why != reason_of.end()
                                 ? why->second
                                 : p.backend->name() + ": made by its optimize() from the " +
                                       "nodes assigned to it"});
    }
  }
  g.rebuild_links();
  compute_boundaries(g, r.partitions);
  return total;
}

}  // namespace rnpu::partition
