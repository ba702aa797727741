// Building (with validation) and evaluating tree ensembles; see ml_forest.h.
#include "ml_forest.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>

#include "ml.h"

namespace rnpu::cpu {

namespace {

using Mode = Forest::Mode;
using Ref = Forest::Ref;

std::string at(const char* list, size_t i) {
  return std::string(list) + "[" + std::to_string(i) + "]";
}

// Thresholds are compared in the input's precision: a float32 model's
// splits stored as double must round like the float features they meet.
double in_precision(double v, DType x_type) {
  return x_type == DType::kF64 ? v : double(float(v));
}

const Tensor& required_tensor(const Attrs& a, const char* name, const char* op) {
  const Tensor* t = a.get_tensor(name);
  if (!t || !t->data) fail(std::string(op) + ": attribute '" + name + "' is required");
  return *t;
}

// Every walk must end: fails when following branches from any interior node
// can come back to it.  Iterative, so a deep (or malicious) tree cannot
// exhaust the stack.
void check_acyclic(const Forest& f, const char* op) {
  enum : uint8_t { kNew, kOpen, kDone };
  std::vector<uint8_t> state(f.nodes.size(), kNew);
  std::vector<std::pair<int64_t, int>> stack;  // node, next child to visit
  for (size_t start = 0; start < f.nodes.size(); ++start) {
    if (state[start] != kNew) continue;
    stack.push_back({int64_t(start), 0});
    state[start] = kOpen;
    while (!stack.empty()) {
      auto& [node, child] = stack.back();
      if (child == 2) {
        state[size_t(node)] = kDone;
        stack.pop_back();
        continue;
      }
      const Forest::Node& n = f.nodes[size_t(node)];
      Ref next = child++ == 0 ? n.on_true : n.on_false;
      if (next < 0) continue;
      if (state[size_t(next)] == kOpen)
        fail(std::string(op) + ": the trees have a cycle through node " + std::to_string(next));
      if (state[size_t(next)] == kNew) {
        state[size_t(next)] = kOpen;
        stack.push_back({next, 0});
      }
    }
  }
}

void finish(Forest& f, const char* op) {
  check_acyclic(f, op);
  f.min_features = 0;
  for (const Forest::Node& n : f.nodes) {
    if (n.on_true == n.on_false) continue;  // never compares (a leaf-only tree)
    if (n.feature < 0)
      fail(std::string(op) + ": feature id " + std::to_string(n.feature) + " is negative");
    f.min_features = std::max(f.min_features, n.feature + 1);
  }
  if (!f.base_values.empty() && f.base_values.size() != 1 &&
      int64_t(f.base_values.size()) != f.n_targets)
    fail(std::string(op) + ": base_values has " + std::to_string(f.base_values.size()) +
         " entries, 1 or " + std::to_string(f.n_targets) + " (one per target) expected");
}

void check_targets(int64_t n_targets, const char* op) {
  if (n_targets < 1 || n_targets > (int64_t(1) << 31))
    fail(std::string(op) + ": the number of targets " + std::to_string(n_targets) +
         " is not in [1, 2^31]");
}

}  // namespace

Forest forest_from_tree_ensemble(const Attrs& a, DType x_type) {
  const char* op = "TreeEnsemble";
  std::vector<int64_t> modes = tensor_to_ints(required_tensor(a, "nodes_modes", op));
  std::vector<double> splits = tensor_to_doubles(required_tensor(a, "nodes_splits", op));
  std::vector<double> leaf_w = tensor_to_doubles(required_tensor(a, "leaf_weights", op));
  std::vector<int64_t> feat = a.get_ints("nodes_featureids");
  std::vector<int64_t> t_id = a.get_ints("nodes_truenodeids"),
                       t_leaf = a.get_ints("nodes_trueleafs");
  std::vector<int64_t> f_id = a.get_ints("nodes_falsenodeids"),
                       f_leaf = a.get_ints("nodes_falseleafs");
  std::vector<int64_t> missing = a.get_ints("nodes_missing_value_tracks_true");
  std::vector<int64_t> leaf_t = a.get_ints("leaf_targetids");
  std::vector<int64_t> roots = a.get_ints("tree_roots");
  const size_t n = modes.size();
  if (n == 0) fail("TreeEnsemble: nodes_modes is empty");
  const char* per_node = "one per node, as nodes_modes";
  check_len(op, "nodes_featureids", feat.size(), n, per_node);
  check_len(op, "nodes_splits", splits.size(), n, per_node);
  check_len(op, "nodes_truenodeids", t_id.size(), n, per_node);
  check_len(op, "nodes_trueleafs", t_leaf.size(), n, per_node);
  check_len(op, "nodes_falsenodeids", f_id.size(), n, per_node);
  check_len(op, "nodes_falseleafs", f_leaf.size(), n, per_node);
  if (!missing.empty())
    check_len(op, "nodes_missing_value_tracks_true", missing.size(), n, per_node);
  check_len(op, "leaf_weights", leaf_w.size(), leaf_t.size(), "one per leaf, as leaf_targetids");
  if (roots.empty()) fail("TreeEnsemble: tree_roots is empty");

  Forest f;
  f.n_targets = a.get_int("n_targets", -1);
  if (!a.has("n_targets")) fail("TreeEnsemble: attribute 'n_targets' is required");
  check_targets(f.n_targets, op);
  int64_t agg = a.get_int("aggregate_function", 1);
  if (agg < 0 || agg > 3)
    fail("TreeEnsemble: aggregate_function " + std::to_string(agg) +
         " is not one of AVERAGE (0), SUM (1), MIN (2), MAX (3)");
  f.aggregate = std::array{Forest::Aggregate::kAverage, Forest::Aggregate::kSum,
                           Forest::Aggregate::kMin, Forest::Aggregate::kMax}[size_t(agg)];

  const int64_t n_leaves = int64_t(leaf_t.size());
  f.leaves.resize(size_t(n_leaves));
  for (int64_t l = 0; l < n_leaves; ++l) {
    if (leaf_t[size_t(l)] < 0 || leaf_t[size_t(l)] >= f.n_targets)
      fail("TreeEnsemble: " + at("leaf_targetids", size_t(l)) + " = " +
           std::to_string(leaf_t[size_t(l)]) + " is not a target in [0, " +
           std::to_string(f.n_targets) + ")");
    f.votes.push_back({leaf_t[size_t(l)], leaf_w[size_t(l)]});
    f.leaves[size_t(l)] = {l, l + 1};
  }
  auto ref = [&](const char* ids, const char* leafs, size_t i, int64_t id, int64_t is_leaf) -> Ref {
    if (is_leaf != 0 && is_leaf != 1)
      fail("TreeEnsemble: " + at(leafs, i) + " = " + std::to_string(is_leaf) + " is not 0 or 1");
    int64_t limit = is_leaf ? n_leaves : int64_t(n);
    if (id < 0 || id >= limit)
      fail("TreeEnsemble: " + at(ids, i) + " = " + std::to_string(id) + " is not a " +
           (is_leaf ? "leaf" : "node") + " index in [0, " + std::to_string(limit) + ")");
    return is_leaf ? ~id : id;
  };

  // Set members: one NaN-terminated group per BRANCH_MEMBER node, in the
  // order of nodes_modes (the last terminator may be left out).
  std::vector<double> mv;
  if (const Tensor* m = a.get_tensor("membership_values"); m && m->data) mv = tensor_to_doubles(*m);
  size_t next_member = 0;
  f.nodes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    Forest::Node& nd = f.nodes[i];
    if (modes[i] < 0 || modes[i] > 6)
      fail("TreeEnsemble: " + at("nodes_modes", i) + " = " + std::to_string(modes[i]) +
           " is not a mode in [0, 6]");
    nd.mode = Mode(modes[i]);
    nd.feature = feat[i];
    nd.split = in_precision(splits[i], x_type);
    nd.missing_true = !missing.empty() && missing[i] != 0;
    nd.on_true = ref("nodes_truenodeids", "nodes_trueleafs", i, t_id[i], t_leaf[i]);
    nd.on_false = ref("nodes_falsenodeids", "nodes_falseleafs", i, f_id[i], f_leaf[i]);
    if (nd.mode != Mode::kMember) continue;
    if (next_member >= mv.size())
      fail("TreeEnsemble: membership_values has no set for BRANCH_MEMBER node " +
           std::to_string(i));
    nd.member_begin = int64_t(f.members.size());
    while (next_member < mv.size() && !std::isnan(mv[next_member]))
      f.members.push_back(in_precision(mv[next_member++], x_type));
    nd.member_end = int64_t(f.members.size());
    ++next_member;  // the NaN terminator
  }
  if (next_member < mv.size())
    fail("TreeEnsemble: membership_values has more sets than there are BRANCH_MEMBER nodes");
  for (size_t i = 0; i < roots.size(); ++i) {
    if (roots[i] < 0 || roots[i] >= int64_t(n))
      fail("TreeEnsemble: " + at("tree_roots", i) + " = " + std::to_string(roots[i]) +
           " is not a node index in [0, " + std::to_string(n) + ")");
    f.roots.push_back(roots[i]);
  }
  finish(f, op);
  return f;
}

Forest forest_from_legacy(const Attrs& a, bool classifier, DType x_type, const char* op) {
  std::vector<int64_t> tree = a.get_ints("nodes_treeids"), id = a.get_ints("nodes_nodeids");
  std::vector<int64_t> feat = a.get_ints("nodes_featureids");
  std::vector<int64_t> t_id = a.get_ints("nodes_truenodeids"),
                       f_id = a.get_ints("nodes_falsenodeids");
  std::vector<int64_t> missing = a.get_ints("nodes_missing_value_tracks_true");
  std::vector<std::string> modes = attr_strings(a, "nodes_modes");
  std::vector<double> values = attr_doubles(a, "nodes_values");
  const size_t n = tree.size();
  if (n == 0) fail(std::string(op) + ": nodes_treeids is empty");
  const char* per_node = "one per node, as nodes_treeids";
  check_len(op, "nodes_nodeids", id.size(), n, per_node);
  check_len(op, "nodes_featureids", feat.size(), n, per_node);
  check_len(op, "nodes_modes", modes.size(), n, per_node);
  check_len(op, "nodes_values", values.size(), n, per_node);
  check_len(op, "nodes_truenodeids", t_id.size(), n, per_node);
  check_len(op, "nodes_falsenodeids", f_id.size(), n, per_node);
  if (!missing.empty())
    check_len(op, "nodes_missing_value_tracks_true", missing.size(), n, per_node);

  Forest f;
  const std::string pre = classifier ? "class_" : "target_";
  std::vector<int64_t> v_tree = a.get_ints(pre + "treeids"), v_node = a.get_ints(pre + "nodeids");
  std::vector<int64_t> v_target = a.get_ints(pre + "ids");
  std::vector<double> v_weight = attr_doubles(a, pre + "weights");
  const std::string per_vote = "one per weight, as " + pre + "treeids";
  check_len(op, (pre + "nodeids").c_str(), v_node.size(), v_tree.size(), per_vote.c_str());
  check_len(op, (pre + "ids").c_str(), v_target.size(), v_tree.size(), per_vote.c_str());
  check_len(op, (pre + "weights").c_str(), v_weight.size(), v_tree.size(), per_vote.c_str());
  if (classifier) {
    f.n_targets = int64_t(std::max(a.get_ints("classlabels_int64s").size(),
                                   attr_strings(a, "classlabels_strings").size()));
    if (f.n_targets == 0) fail(std::string(op) + ": no classlabels_int64s or classlabels_strings");
  } else {
    if (!a.has("n_targets")) fail(std::string(op) + ": attribute 'n_targets' is required");
    f.n_targets = a.get_int("n_targets", 1);
    std::string agg = a.get_string("aggregate_function", "SUM");
    if (agg == "AVERAGE")
      f.aggregate = Forest::Aggregate::kAverage;
    else if (agg == "MIN")
      f.aggregate = Forest::Aggregate::kMin;
    else if (agg == "MAX")
      f.aggregate = Forest::Aggregate::kMax;
    else if (agg != "SUM")
      fail(std::string(op) + ": aggregate_function '" + agg +
           "' is not one of AVERAGE, SUM, MIN, MAX");
  }
  check_targets(f.n_targets, op);
  f.base_values = attr_doubles(a, "base_values");

  // Positions of (tree id, node id); LEAF nodes become leaves, the others
  // interior nodes, each numbered in order.
  std::map<std::pair<int64_t, int64_t>, size_t> where;
  std::vector<Ref> ref(n);
  static const char* const names[] = {"BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE",
                                      "BRANCH_GT",  "BRANCH_EQ", "BRANCH_NEQ"};
  for (size_t i = 0; i < n; ++i) {
    if (!where.emplace(std::pair{tree[i], id[i]}, i).second)
      fail(std::string(op) + ": node " + std::to_string(id[i]) + " of tree " +
           std::to_string(tree[i]) + " is defined twice");
    if (modes[i] == "LEAF") {
      ref[i] = ~int64_t(f.leaves.size());
      f.leaves.push_back({});
      continue;
    }
    Forest::Node nd;
    const char* const* m = std::find(std::begin(names), std::end(names), modes[i]);
    if (m == std::end(names))
      fail(std::string(op) + ": " + at("nodes_modes", i) + " '" + modes[i] +
           "' is not BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT, BRANCH_EQ, BRANCH_NEQ or LEAF");
    nd.mode = Mode(m - std::begin(names));
    nd.feature = feat[i];
    nd.split = in_precision(values[i], x_type);
    nd.missing_true = !missing.empty() && missing[i] != 0;
    ref[i] = int64_t(f.nodes.size());
    f.nodes.push_back(nd);
  }
  auto child = [&](const char* list, size_t i, int64_t node) -> Ref {
    auto it = where.find({tree[i], node});
    if (it == where.end())
      fail(std::string(op) + ": " + at(list, i) + " = " + std::to_string(node) +
           " is no node of tree " + std::to_string(tree[i]));
    return ref[it->second];
  };
  std::map<int64_t, Ref> roots;  // the first node of each tree is its root
  for (size_t i = 0; i < n; ++i) {
    roots.emplace(tree[i], ref[i]);
    if (ref[i] < 0) continue;
    Forest::Node& nd = f.nodes[size_t(ref[i])];
    nd.on_true = child("nodes_truenodeids", i, t_id[i]);
    nd.on_false = child("nodes_falsenodeids", i, f_id[i]);
  }
  for (const auto& [t, r] : roots) f.roots.push_back(r);

  // Votes grouped by leaf, so a leaf's are contiguous.
  std::vector<std::vector<Forest::Vote>> by_leaf(f.leaves.size());
  for (size_t k = 0; k < v_tree.size(); ++k) {
    auto it = where.find({v_tree[k], v_node[k]});
    if (it == where.end() || ref[it->second] >= 0)
      fail(std::string(op) + ": " + at((pre + "nodeids").c_str(), k) + " = " +
           std::to_string(v_node[k]) + " is no LEAF node of tree " + std::to_string(v_tree[k]));
    if (v_target[k] < 0 || v_target[k] >= f.n_targets)
      fail(std::string(op) + ": " + at((pre + "ids").c_str(), k) + " = " +
           std::to_string(v_target[k]) + " is not in [0, " + std::to_string(f.n_targets) + ")");
    by_leaf[size_t(~ref[it->second])].push_back({v_target[k], v_weight[k]});
  }
  for (size_t l = 0; l < by_leaf.size(); ++l) {
    f.leaves[l].begin = int64_t(f.votes.size());
    f.votes.insert(f.votes.end(), by_leaf[l].begin(), by_leaf[l].end());
    f.leaves[l].end = int64_t(f.votes.size());
  }
  finish(f, op);
  return f;
}

namespace {

bool goes_true(const Forest::Node& n, const Forest& f, double x) {
  if (std::isnan(x) && n.missing_true) return true;
  switch (n.mode) {
    case Mode::kLeq:
      return x <= n.split;
    case Mode::kLt:
      return x < n.split;
    case Mode::kGte:
      return x >= n.split;
    case Mode::kGt:
      return x > n.split;
    case Mode::kEq:
      return x == n.split;
    case Mode::kNeq:
      return x != n.split;
    case Mode::kMember:
      return std::find(f.members.begin() + n.member_begin, f.members.begin() + n.member_end, x) !=
             f.members.begin() + n.member_end;
  }
  return false;
}

}  // namespace

void forest_predict(const Forest& f, const double* x, int64_t rows, int64_t features, double* out,
                    const char* op) {
  if (features < f.min_features)
    fail(std::string(op) + ": X has " + std::to_string(features) + " features but the trees read " +
         "feature " + std::to_string(f.min_features - 1));
  const int64_t nt = f.n_targets;
  std::vector<uint8_t> voted(static_cast<size_t>(nt));
  for (int64_t r = 0; r < rows; ++r) {
    const double* xr = x + r * features;
    double* o = out + r * nt;
    std::fill(o, o + nt, 0.0);
    std::fill(voted.begin(), voted.end(), 0);
    for (Ref ref : f.roots) {
      // Terminates: the trees are acyclic (checked when built).
      while (ref >= 0) {
        const Forest::Node& n = f.nodes[size_t(ref)];
        ref = n.on_true == n.on_false || goes_true(n, f, xr[n.feature]) ? n.on_true : n.on_false;
      }
      const Forest::Leaf& leaf = f.leaves[size_t(~ref)];
      for (int64_t v = leaf.begin; v < leaf.end; ++v) {
        const Forest::Vote& vote = f.votes[size_t(v)];
        double& s = o[vote.target];
        if (f.aggregate == Forest::Aggregate::kMin)
          s = voted[size_t(vote.target)] ? std::min(s, vote.weight) : vote.weight;
        else if (f.aggregate == Forest::Aggregate::kMax)
          s = voted[size_t(vote.target)] ? std::max(s, vote.weight) : vote.weight;
        else
          s += vote.weight;
        voted[size_t(vote.target)] = 1;
      }
    }
    if (f.aggregate == Forest::Aggregate::kAverage)
      for (int64_t t = 0; t < nt; ++t) o[t] /= double(f.roots.size());
    // Base values come after aggregation (targets no tree voted for are 0
    // plus their base value).
    for (int64_t t = 0; t < nt && !f.base_values.empty(); ++t)
      o[t] += f.base_values[f.base_values.size() == 1 ? 0 : size_t(t)];
  }
}

}  // namespace rnpu::cpu
