#include "passes/claim.h"

#include <map>
#include <numeric>

#include "passes/fusion.h"
#include "passes/qdq.h"
#include "passes/shape_inference.h"

namespace rnpu::passes {

namespace {

// Union-find over node ids; grows as rewrites add nodes.
struct Groups {
  std::vector<ir::NodeId> parent;
  ir::NodeId find(ir::NodeId x) {
    grow(x);
    while (parent[size_t(x)] != x) x = parent[size_t(x)] = parent[size_t(parent[size_t(x)])];
    return x;
  }
  void unite(ir::NodeId a, ir::NodeId b) {
    a = find(a);
    b = find(b);
    if (a != b) parent[size_t(std::max(a, b))] = std::min(a, b);
  }
  void grow(ir::NodeId x) {
    size_t old = parent.size();
    if (size_t(x) < old) return;
    parent.resize(size_t(x) + 1);
    std::iota(parent.begin() + ptrdiff_t(old), parent.end(), ir::NodeId(old));
  }
};

}  // namespace

std::vector<NodeGroup> claim_rewrites(const ir::Graph& g, const Backend& b, RewriteSet which) {
  ir::Graph copy = g;
  RewriteLog log;
  Rewrite r{accept_by(b), &log, false};
  if (which.qdq) {
    annotate_qdq(copy);
    fold_qdq(copy, r);
  }
  if (which.fusion) fuse(copy, r);
  Groups u;
  u.grow(ir::NodeId(copy.nodes.size()) - 1);
  for (const RewriteLog::Entry& e : log.entries)
    for (ir::NodeId m : e.removed) u.unite(e.result, m);
  // Members are the original nodes; the cost is that of the live nodes the
  // group became (in the copy).
  std::map<ir::NodeId, NodeGroup> by_root;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!g.nodes[i].dead) by_root[u.find(ir::NodeId(i))].nodes.push_back(ir::NodeId(i));
  std::map<ir::NodeId, double> cost;
  for (size_t i = 0; i < copy.nodes.size(); ++i) {
    if (copy.nodes[i].dead) continue;
    ir::NodeId root = u.find(ir::NodeId(i));
    auto it = by_root.find(root);
    if (it == by_root.end() || it->second.nodes.size() < 2) continue;
    double c = b.estimate_cost_ns(copy, copy.nodes[i]);
    auto [at, fresh] = cost.emplace(root, c);
    if (!fresh) at->second = at->second < 0 || c < 0 ? -1 : at->second + c;
  }
  std::vector<NodeGroup> out;
  for (auto& [root, grp] : by_root) {
    if (grp.nodes.size() < 2) {
      // A node b runs only once its values are annotated (a standalone
      // QuantizeLinear or DequantizeLinear): claimed alone.
      ir::NodeId id = grp.nodes[0];
      const ir::Node& n = copy.nodes[size_t(id)];
      if (which.qdq && !n.dead && !b.supports(g, g.nodes[size_t(id)]).ok && b.supports(copy, n).ok)
        out.push_back({{id}, b.estimate_cost_ns(copy, n)});
      continue;
    }
    auto it = cost.find(root);
    grp.cost_ns = it == cost.end() ? -1 : it->second;
    out.push_back(std::move(grp));
  }
  return out;
}

int optimize_rewrites(ir::Graph& sub, const Backend& b, RewriteSet which) {
  Rewrite r{accept_by(b), nullptr, false};
  int total = 0;
  if (which.qdq) {
    total += annotate_qdq(sub);
    if (int k = fold_qdq(sub, r)) {
      total += k;
      infer_shapes(sub);
    }
  }
  if (which.fusion) {
    if (int k = fuse(sub, r)) {
      total += k;
      infer_shapes(sub);
    }
  }
  return total;
}

}  // namespace rnpu::passes
