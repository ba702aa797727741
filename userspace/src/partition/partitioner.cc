#include "partition/partitioner.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <unordered_map>

#include "ir/string_tensor.h"

namespace rnpu::partition {

namespace {

// A node reading or writing a sequence, an optional or a string tensor:
// values only Backend::runs_sequences() backends hold.
bool touches_sequences(const ir::Graph& g, const ir::Node& n) {
  for (const auto* list : {&n.inputs, &n.outputs})
    for (ir::ValueId v : *list)
      if (v != ir::kNoValue && g.value(v).kind != ir::ValueKind::kTensor) return true;
  return ir::touches_strings(g, n);
}

std::string fmt_ns(double ns) {
  char b[32];
  if (ns >= 1e6)
    std::snprintf(b, sizeof b, "%.2f ms", ns / 1e6);
  else if (ns >= 1e3)
    std::snprintf(b, sizeof b, "%.1f us", ns / 1e3);
  else
    std::snprintf(b, sizeof b, "%.0f ns", ns);
  return b;
}

// Host<->device copy estimate for a value crossing into/out of a device
// backend: a fixed submission cost plus bytes over a nominal bandwidth.
double transfer_ns(const ir::Graph& g, const ir::Node& n) {
  double bytes = 0;
  for (ir::ValueId v : n.inputs) {
    if (v == ir::kNoValue || g.value(v).is_constant()) continue;
    if (auto e = g.value(v).shape.numel())
      bytes += double(*e) * double(ir::dtype_size(g.value(v).dtype));
  }
  return 5000.0 + bytes * 0.1;  // 5 us + 10 GB/s
}

// A claimed group's nodes must land in one partition, but the order above
// schedules a node as soon as it is ready: the DequantizeLinear of a
// constant weight would run in the first partition of its backend, far
// from its op.  Each group member whose outputs feed exactly one other
// member (and nothing else) is moved to just before that consumer; its
// inputs are produced earlier still, so the order stays topological.
void sink_group_inputs(const ir::Graph& g, const std::vector<char>& in_unit,
                       std::vector<ir::NodeId>* order) {
  std::vector<ir::NodeId> target(g.nodes.size(), ir::kNoNode);
  bool any = false;
  for (ir::NodeId id : *order) {
    if (!in_unit[size_t(id)]) continue;
    ir::NodeId only = ir::kNoNode;
    bool ok = true;
    for (ir::ValueId v : g.node(id).outputs) {
      if (v == ir::kNoValue) continue;
      if (g.is_graph_output(v)) ok = false;
      for (ir::NodeId c : g.value(v).consumers) {
        if (g.node(c).dead) continue;
        if (only == ir::kNoNode) only = c;
        if (c != only) ok = false;
      }
    }
    if (ok && only != ir::kNoNode && in_unit[size_t(only)]) {
      target[size_t(id)] = only;
      any = true;
    }
  }
  if (!any) return;
  std::vector<std::vector<ir::NodeId>> before(g.nodes.size());
  for (ir::NodeId id : *order)
    if (target[size_t(id)] != ir::kNoNode) before[size_t(target[size_t(id)])].push_back(id);
  std::vector<ir::NodeId> out;
  out.reserve(order->size());
  // Emits id after everything sunk to it (recursively, in original order).
  auto emit = [&](auto& self, ir::NodeId id) -> void {
    for (ir::NodeId b : before[size_t(id)]) self(self, b);
    out.push_back(id);
  };
  for (ir::NodeId id : *order)
    if (target[size_t(id)] == ir::kNoNode) emit(emit, id);
  *order = std::move(out);
}

}  // namespace

BackendSet resolve_backends(const std::vector<std::string>& names, bool allow_fallback) {
  auto& reg = BackendRegistry::instance();
  BackendSet set;
  std::vector<std::string> all = reg.names();
  bool automatic = names.empty() || (names.size() == 1 && names[0] == "auto");
  std::string unavailable;
  if (automatic) {
    for (const auto& n : all)
      if (Backend* b = reg.get(n); b && b->available() && b->automatic()) set.enabled.push_back(b);
  } else {
    set.by_cost = false;
    for (const auto& n : names) {
      Backend* b = reg.get(n);
      if (!b) {
        std::string known;
        for (const auto& k : all) known += (known.empty() ? "" : ", ") + k;
        throw Error(ErrorCode::kInvalidArgument, "unknown backend '" + n + "' (built in: " +
                                                     (known.empty() ? "none" : known) + ")");
      }
      if (!b->available()) {
        if (!allow_fallback)
          throw Error(ErrorCode::kBackendUnavailable,
                      "backend '" + n + "' is not available: " + b->description());
        continue;
      }
      if (std::find(set.enabled.begin(), set.enabled.end(), b) == set.enabled.end())
        set.enabled.push_back(b);
    }
    for (const auto& n : all) {
      Backend* b = reg.get(n);
      if (!b || !b->available() || !b->automatic() ||
          std::find(set.enabled.begin(), set.enabled.end(), b) != set.enabled.end())
        continue;
      (allow_fallback ? set.enabled : set.disabled).push_back(b);
    }
  }
  if (set.enabled.empty())
    throw Error(ErrorCode::kBackendUnavailable, "no usable backend on this machine");
  return set;
}

PartitionResult partition_graph(const ir::Graph& g, const BackendSet& set) {
  PartitionResult r;
  std::vector<ir::NodeId> topo = g.topo_order();
  std::vector<Backend*> chosen(g.nodes.size(), nullptr);
  std::vector<char> in_unit(g.nodes.size(), 0);  // assigned with a claimed group
  std::vector<std::string> reason(g.nodes.size());

  // The groups each backend claims, by node (Backend::claim).
  struct Claimed {
    std::vector<NodeGroup> groups;
    std::vector<int> of;  // per node: index in groups, -1: none
  };
  std::vector<Claimed> claims(set.enabled.size());
  for (size_t bi = 0; bi < set.enabled.size(); ++bi) {
    Claimed& c = claims[bi];
    c.groups = set.enabled[bi]->claim(g);
    c.of.assign(g.nodes.size(), -1);
    for (size_t gi = 0; gi < c.groups.size(); ++gi)
      for (ir::NodeId m : c.groups[gi].nodes) {
        if (m < 0 || size_t(m) >= g.nodes.size() || g.node(m).dead || c.of[size_t(m)] != -1)
          throw Error(ErrorCode::kInternal, "backend '" + set.enabled[bi]->name() +
                                                "' claimed a dead, unknown or doubly claimed node");
        c.of[size_t(m)] = int(gi);
      }
  }

  for (ir::NodeId id : topo) {
    if (chosen[size_t(id)]) continue;  // taken with a claimed group
    const ir::Node& n = g.node(id);
    if (set.control_flow && set.control_flow->supports(g, n).ok) {
      chosen[size_t(id)] = set.control_flow;
      reason[size_t(id)] = set.control_flow->name() + ": control flow (bodies partitioned apart)";
      continue;
    }
    std::string rejected;
    std::vector<Backend*> ok;
    // ok[i]'s claimed group containing n whose nodes are all unassigned,
    // taken whole if ok[i] is picked; nullptr: n alone.
    std::vector<const NodeGroup*> unit;
    const bool seq = touches_sequences(g, n);
    for (size_t bi = 0; bi < set.enabled.size(); ++bi) {
      Backend* b = set.enabled[bi];
      if (int gi = claims[bi].of[size_t(id)]; gi >= 0) {
        const NodeGroup& grp = claims[bi].groups[size_t(gi)];
        bool free = true;
        for (ir::NodeId m : grp.nodes) free &= chosen[size_t(m)] == nullptr;
        if (free) {
          ok.push_back(b);
          unit.push_back(&grp);
          continue;
        }
      }
      Support s =
          seq && !b->runs_sequences()
              ? Support::no(ir::touches_strings(g, n) ? "string tensors unsupported"
                                                      : "sequence and optional values unsupported")
              : b->supports(g, n);
      if (s.ok) {
        ok.push_back(b);
        unit.push_back(nullptr);
      } else {
        rejected += (rejected.empty() ? "" : "; ") + b->name() + ": " + s.reason;
      }
    }
    // With a group among the candidates, costs compare over its nodes.
    const NodeGroup* basis = nullptr;
    for (const NodeGroup* u : unit)
      if (u && !basis) basis = u;
    if (ok.empty()) {
      std::string hint;
      for (Backend* b : set.disabled)
        if ((!seq || b->runs_sequences()) && b->supports(g, n).ok) {
          hint = b->name();
          break;
        }
      ir::node_error(ErrorCode::kUnsupportedOp, n,
                     "no enabled backend supports it (" + rejected + ")", hint);
    }
    size_t pick_i = 0;
    std::string why;
    if (set.by_cost && ok.size() > 1) {
      bool all_known = true;
      std::vector<double> cost;
      for (size_t i = 0; i < ok.size(); ++i) {
        Backend* b = ok[i];
        double c = -1;
        if (unit[i]) {
          c = unit[i]->cost_ns;
        } else if (basis) {
          // Run per node: the sum over the group's nodes, when b takes each.
          c = 0;
          for (ir::NodeId m : basis->nodes) {
            double cm = b->supports(g, g.node(m)).ok ? b->estimate_cost_ns(g, g.node(m)) : -1;
            c = cm < 0 || c < 0 ? -1 : c + cm;
          }
        } else {
          c = b->estimate_cost_ns(g, n);
        }
        if (c < 0) all_known = false;
        // Leaving the producer's backend costs a transfer.
        bool crosses = false;
        for (ir::ValueId v : n.inputs) {
          if (v == ir::kNoValue) continue;
          ir::NodeId p = g.value(v).producer;
          if (p != ir::kNoNode && chosen[size_t(p)] && chosen[size_t(p)] != b &&
              (!b->uses_host_arena() || !chosen[size_t(p)]->uses_host_arena()))
            crosses = true;
        }
        cost.push_back(c + (crosses ? transfer_ns(g, n) : 0));
      }
      if (all_known) {
        size_t best = size_t(std::min_element(cost.begin(), cost.end()) - cost.begin());
        pick_i = best;
        why = ok[best]->name() + ": cheapest (" + fmt_ns(cost[best]);
        for (size_t i = 0; i < ok.size(); ++i)
          if (i != best) why += ", " + ok[i]->name() + " " + fmt_ns(cost[i]);
        why += ")";
      }
    }
    Backend* pick = ok[pick_i];
    if (why.empty()) why = pick->name() + ": " + (rejected.empty() ? "first choice" : "supported");
    if (!rejected.empty()) why = rejected + " -> " + why;
    if (const NodeGroup* grp = unit[pick_i]) {
      why +=
          " [claimed with " + std::to_string(grp->nodes.size() - 1) + " more node(s) as one unit]";
      for (ir::NodeId m : grp->nodes) {
        chosen[size_t(m)] = pick;
        reason[size_t(m)] = why;
        in_unit[size_t(m)] = 1;
      }
    }
    chosen[size_t(id)] = pick;
    reason[size_t(id)] = why;
  }

  group_by_backend(g, chosen, reason, in_unit, &r);
  return r;
}

void group_by_backend(const ir::Graph& g, const std::vector<Backend*>& chosen,
                      const std::vector<std::string>& reason, const std::vector<char>& in_unit,
                      PartitionResult* out) {
  PartitionResult& r = *out;
  r.partitions.clear();
  r.decisions.clear();
  r.order.clear();
  std::vector<ir::NodeId> topo = g.topo_order();
  // Topological order that stays on one backend as long as it can, so
  // partitions are as few and as large as the dependencies allow.
  std::vector<int> pending(g.nodes.size(), 0);
  std::vector<std::vector<ir::NodeId>> users(g.nodes.size());
  for (ir::NodeId id : topo)
    for (ir::ValueId v : g.node(id).inputs) {
      if (v == ir::kNoValue) continue;
      ir::NodeId p = g.value(v).producer;
      if (p == ir::kNoNode || g.node(p).dead) continue;
      ++pending[size_t(id)];
      users[size_t(p)].push_back(id);
    }
  std::vector<ir::NodeId> ready;
  for (ir::NodeId id : topo)
    if (pending[size_t(id)] == 0) ready.push_back(id);
  Backend* cur = nullptr;
  while (!ready.empty()) {
    auto it = std::find_if(ready.begin(), ready.end(),
                           [&](ir::NodeId x) { return chosen[size_t(x)] == cur; });
    if (it == ready.end())
      it = std::min_element(ready.begin(), ready.end());
    else {
      // Among same-backend candidates take the lowest id (model order).
      for (auto j = ready.begin(); j != ready.end(); ++j)
        if (chosen[size_t(*j)] == cur && *j < *it) it = j;
    }
    ir::NodeId id = *it;
    ready.erase(it);
    r.order.push_back(id);
    cur = chosen[size_t(id)];
    for (ir::NodeId u : users[size_t(id)])
      if (--pending[size_t(u)] == 0) ready.push_back(u);
  }

  sink_group_inputs(g, in_unit, &r.order);
  for (ir::NodeId id : r.order) {
    if (r.partitions.empty() || r.partitions.back().backend != chosen[size_t(id)])
      r.partitions.push_back(Partition{chosen[size_t(id)], {}, {}, {}});
    r.partitions.back().nodes.push_back(id);
    const ir::Node& n = g.node(id);
    r.decisions.push_back({n.name, n.op, chosen[size_t(id)]->name(), reason[size_t(id)]});
  }
  compute_boundaries(g, r.partitions);
}

void compute_boundaries(const ir::Graph& g, std::vector<Partition>& parts) {
  std::vector<int> part_of(g.nodes.size(), -1);
  for (size_t pi = 0; pi < parts.size(); ++pi)
    for (ir::NodeId id : parts[pi].nodes) part_of[size_t(id)] = int(pi);
  for (size_t pi = 0; pi < parts.size(); ++pi) {
    Partition& p = parts[pi];
    p.inputs.clear();
    p.outputs.clear();
    for (ir::NodeId id : p.nodes) {
      const ir::Node& n = g.node(id);
      for (ir::ValueId v : n.inputs) {
        if (v == ir::kNoValue || g.value(v).is_constant()) continue;
        ir::NodeId prod = g.value(v).producer;
        if ((prod == ir::kNoNode || part_of[size_t(prod)] != int(pi)) &&
            std::find(p.inputs.begin(), p.inputs.end(), v) == p.inputs.end())
          p.inputs.push_back(v);
      }
      for (ir::ValueId v : n.outputs) {
        if (v == ir::kNoValue) continue;
        bool external = g.is_graph_output(v);
        for (ir::NodeId u : g.value(v).consumers)
          if (!g.node(u).dead && part_of[size_t(u)] != int(pi)) external = true;
        if (external) p.outputs.push_back(v);
      }
    }
  }
}

ir::Graph make_subgraph(const ir::Graph& g, const Partition& p,
                        std::vector<ir::ValueId>* sub_to_parent) {
  ir::Graph s;
  s.name = g.name;
  s.opsets = g.opsets;
  std::unordered_map<ir::ValueId, ir::ValueId> map;
  auto get = [&](ir::ValueId v) -> ir::ValueId {
    if (v == ir::kNoValue) return ir::kNoValue;
    auto it = map.find(v);
    if (it != map.end()) return it->second;
    ir::Value copy = g.value(v);
    copy.consumers.clear();
    copy.producer = ir::kNoNode;
    ir::ValueId id = s.add_value(std::move(copy));
    map[v] = id;
    if (sub_to_parent) sub_to_parent->push_back(v);
    return id;
  };
  for (ir::ValueId v : p.inputs) s.inputs.push_back(get(v));
  for (ir::NodeId id : p.nodes) {
    ir::Node n = g.node(id);
    for (ir::ValueId& v : n.inputs) v = get(v);
    for (ir::ValueId& v : n.outputs) v = get(v);
    s.add_node(std::move(n));
  }
  for (ir::ValueId v : p.outputs) s.outputs.push_back(get(v));
  return s;
}

}  // namespace rnpu::partition
