// Layout assignment.  ONNX activations are NCHW; a backend may prefer NHWC
// (XNNPACK does).  Nodes whose first choice of backend prefers NHWC and
// supports the NHWC form of the node are switched to NHWC (node.layout and
// their 4-D activation values); Transposes are inserted only where an NHWC
// region meets NCHW producers or consumers, so chains of NHWC nodes run
// without any.  Weights keep their ONNX layout; the backend handles them.
#include <algorithm>
#include <map>
#include <set>

#include "passes/pattern.h"
#include "passes/pipeline.h"

namespace rnpu::passes {

namespace {

using ir::Node;
using ir::ValueId;

const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};
const std::vector<int64_t> kToNchw = {0, 3, 1, 2};

// Ops whose semantics are layout-independent once their 4-D activations
// (and, for Concat, the axis) are permuted consistently.
const std::set<std::string> kSpatial = {"Conv", "MaxPool", "AveragePool", "GlobalAveragePool",
                                        "GlobalMaxPool"};
const std::set<std::string> kElementwise = {"Relu", "Sigmoid",   "Tanh",        "LeakyRelu",
                                            "Clip", "HardSwish", "HardSigmoid", "Add",
                                            "Mul",  "Sub",       "Div",         "Concat"};

bool is4d(const ir::Graph& g, ValueId v) {
  return v != ir::kNoValue && g.value(v).shape.has_rank && g.value(v).shape.rank() == 4;
}

// The activation inputs of n that change layout (weights/bias stay).
std::vector<size_t> activation_inputs(const ir::Graph& g, const Node& n) {
  if (kSpatial.count(n.op)) return {0};
  std::vector<size_t> r;
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (is4d(g, n.inputs[i]) && !g.value(n.inputs[i]).is_constant()) r.push_back(i);
  return r;
}

bool eligible(const ir::Graph& g, const Node& n) {
  if (!n.domain.empty() || n.layout == ir::Layout::kNHWC || n.outputs.empty()) return false;
  if (!is4d(g, n.outputs[0]) || n.outputs.size() != 1) return false;
  if (kSpatial.count(n.op)) return is4d(g, n.inputs[0]);
  if (!kElementwise.count(n.op)) return false;
  // Every operand must be a 4-D activation or a scalar constant.
  for (ValueId v : n.inputs) {
    if (v == ir::kNoValue) continue;
    const ir::Value& val = g.value(v);
    if (is4d(g, v) && !val.is_constant()) continue;
    if (val.is_constant() && val.constant->numel() == 1) continue;
    return false;
  }
  return true;
}

ir::Shape permute(const ir::Shape& s, const std::vector<int64_t>& perm) {
  ir::Shape o = s;
  for (size_t i = 0; i < 4; ++i) o.dims[i] = s.dims[size_t(perm[i])];
  return o;
}

}  // namespace

int assign_layout(ir::Graph& g, const std::vector<Backend*>& backends) {
  bool any_nhwc = false;
  for (Backend* b : backends) any_nhwc |= b->preferred_layout() == ir::Layout::kNHWC;
  if (!any_nhwc) return 0;
  g.rebuild_links();
  // 1. Choose NHWC nodes: the first backend that supports the node prefers
  //    NHWC and also supports its NHWC form.
  std::set<ir::NodeId> nhwc;
  for (ir::NodeId id : g.topo_order()) {
    Node& n = g.node(id);
    if (!eligible(g, n)) continue;
    Backend* first = nullptr;
    for (Backend* b : backends)
      if (b->supports(g, n).ok) {
        first = b;
        break;
      }
    if (!first || first->preferred_layout() != ir::Layout::kNHWC) continue;
    Node probe = n;
    probe.layout = ir::Layout::kNHWC;
    if (probe.op == "Concat") probe.attrs.set_int("axis", 3);
    if (!first->supports(g, probe).ok) continue;
    nhwc.insert(id);
  }
  if (nhwc.empty()) return 0;

  // 2. Rewrite: NHWC values get NHWC twins; boundaries get Transposes.
  std::map<ValueId, ValueId> as_nhwc;  // original NCHW value -> its NHWC twin
  auto transpose = [&](ValueId src, const std::vector<int64_t>& perm, ir::Layout l,
                       const std::string& tag) {
    ir::Value s = g.value(src);  // a copy: new_value may reallocate
    ValueId dst = g.new_value(s.name + tag, s.dtype, permute(s.shape, perm));
    g.value(dst).layout = l;
    g.value(dst).quant = s.quant;
    Node t;
    t.name = g.unique_node_name(s.name + tag + "_transpose");
    t.op = "Transpose";
    t.opset = 17;
    t.inputs = {src};
    t.outputs = {dst};
    t.attrs.set_ints("perm", perm);
    g.add_node(std::move(t));
    return dst;
  };
  int rewrites = 0;
  for (ir::NodeId id : g.topo_order()) {
    if (!nhwc.count(id)) continue;
    std::vector<size_t> act = activation_inputs(g, g.node(id));
    for (size_t i : act) {
      ValueId v = g.node(id).inputs[i];
      auto it = as_nhwc.find(v);
      ValueId t =
          it != as_nhwc.end() ? it->second : transpose(v, kToNhwc, ir::Layout::kNHWC, "_nhwc");
      as_nhwc[v] = t;
      g.node(id).inputs[i] = t;
    }
    // The output is produced in NHWC; NCHW readers get a Transpose back.
    ValueId out = g.node(id).outputs[0];
    ir::Value ov = g.value(out);
    ValueId twin = g.new_value(ov.name + "_nhwc", ov.dtype, permute(ov.shape, kToNhwc));
    g.value(twin).layout = ir::Layout::kNHWC;
    g.value(twin).quant = g.value(out).quant;
    Node& n = g.node(id);
    n.outputs[0] = twin;
    n.layout = ir::Layout::kNHWC;
    if (n.op == "Concat") n.attrs.set_int("axis", 3);
    as_nhwc[out] = twin;
    ++rewrites;
  }
  // Every original NCHW value now lacking a producer is rebuilt from its twin.
  g.rebuild_links();
  for (auto& [orig, twin] : as_nhwc) {
    if (g.value(orig).producer != ir::kNoNode || g.value(orig).is_constant()) continue;
    bool needed = g.is_graph_output(orig);
    for (ir::NodeId c : g.value(orig).consumers)
      if (!g.node(c).dead) needed = true;
    if (std::find(g.inputs.begin(), g.inputs.end(), orig) != g.inputs.end()) continue;
    if (!needed) continue;
    // Re-create orig as Transpose(twin) so NCHW readers are unchanged.
    Node t;
    t.name = g.unique_node_name(g.value(orig).name + "_nchw_transpose");
    t.op = "Transpose";
    t.opset = 17;
    t.inputs = {twin};
    t.outputs = {orig};
    t.attrs.set_ints("perm", kToNchw);
    g.add_node(std::move(t));
  }
  g.rebuild_links();
  g.compact();
  return rewrites;
}

}  // namespace rnpu::passes
