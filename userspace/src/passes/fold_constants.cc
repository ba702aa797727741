// Constant folding: nodes whose inputs are all constant are evaluated once
// at load time on the reference kernels (backends/cpu/evaluate.h, called
// directly: folding depends on no backend object) and replaced by their
// results.
#include <set>

#include "backends/cpu/evaluate.h"
#include "ir/string_tensor.h"
#include "passes/pipeline.h"
#include "passes/qdq.h"

namespace rnpu::passes {

namespace {

// Results beyond this stay computed at run time: folding would trade
// arena memory for resident constant memory.
constexpr size_t kMaxFoldBytes = size_t(16) << 20;

bool foldable_op(const ir::Node& n) {
  static const std::set<std::string> never = {
      "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike",
      "Bernoulli",    "Multinomial",   "Dropout",          "If",
      "Loop",         "Scan",          "SequenceMap"};
  return n.domain.empty() && !never.count(n.op);
}

// Shape and Size of a statically shaped value need no evaluation.
std::shared_ptr<ir::ConstTensor> fold_shape(const ir::Graph& g, const ir::Node& n) {
  if (n.inputs.empty() || n.inputs[0] == ir::kNoValue) return nullptr;
  const ir::Shape& s = g.value(n.inputs[0]).shape;
  if (!s.is_static()) return nullptr;
  if (n.op == "Size") {
    auto c = ir::ConstTensor::make(ir::DType::kInt64, {});
    *static_cast<int64_t*>(c->mutable_data()) = *s.numel();
    return c;
  }
  int64_t r = int64_t(s.rank());
  int64_t b = n.attrs.get_int("start", 0), e = n.attrs.get_int("end", r);
  if (b < 0) b += r;
  if (e < 0) e += r;
  b = std::clamp<int64_t>(b, 0, r);
  e = std::clamp<int64_t>(e, 0, r);
  auto c = ir::ConstTensor::make(ir::DType::kInt64, {std::max<int64_t>(0, e - b)});
  for (int64_t i = b; i < e; ++i)
    static_cast<int64_t*>(c->mutable_data())[i - b] = s.dims[size_t(i)].value;
  return c;
}

}  // namespace

int fold_constants(ir::Graph& g, const FoldOptions& o) {
  g.rebuild_links();
  int folded = 0;
  for (ir::NodeId id : g.topo_order()) {
    ir::Node& n = g.node(id);
    if (!foldable_op(n) || n.outputs.empty()) continue;
    if ((n.op == "Shape" || n.op == "Size") && n.outputs.size() == 1) {
      if (auto c = fold_shape(g, n)) {
        ir::Value& out = g.value(n.outputs[0]);
        out.constant = c;
        out.dtype = c->dtype;
        out.shape = ir::Shape(c->dims);
        n.dead = true;
        ++folded;
      }
      continue;
    }
    if (!o.evaluate) continue;
    // The int8 weights of a QDQ region stay quantised: a backend claiming
    // the region computes on them (passes/qdq.h).
    if (o.keep_qdq && qdq_region_input(g, n)) continue;
    bool all_const = true;
    for (ir::ValueId v : n.inputs)
      if (v != ir::kNoValue && !g.value(v).is_constant()) all_const = false;
    bool has_graph_attr = false;
    for (const auto& [k, a] : n.attrs.all())
      if (a.kind == ir::Attribute::Kind::kGraph) has_graph_attr = true;
    // Constants are tensors: a sequence or optional result stays run-time
    // work (SequenceEmpty, Optional without input).
    // String tensors are not folded either: the kernels' constants are
    // byte buffers (ir/string_tensor.h).
    bool tensors_only = !ir::touches_strings(g, n);
    for (ir::ValueId v : n.outputs)
      if (v != ir::kNoValue && g.value(v).kind != ir::ValueKind::kTensor) tensors_only = false;
    if (!all_const || has_graph_attr || !tensors_only) continue;
    bool too_big = false;
    for (ir::ValueId v : n.outputs) {
      if (v == ir::kNoValue) continue;
      auto e = g.value(v).shape.numel();
      size_t es = ir::dtype_size(g.value(v).dtype);
      if (!e || !es || size_t(*e) * es > kMaxFoldBytes) too_big = true;
    }
    if (too_big) continue;
    // A node the kernels refuse or fail on is left for run time, where the
    // same error is reported in context.
    auto results = cpu::evaluate_constant_node(g, n, kMaxFoldBytes, nullptr);
    if (results.size() != n.outputs.size()) continue;
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      if (n.outputs[i] == ir::kNoValue) continue;
      ir::Value& out = g.value(n.outputs[i]);
      out.dtype = results[i]->dtype;
      out.shape = ir::Shape(results[i]->dims);
      out.constant = std::move(results[i]);
    }
    n.dead = true;
    ++folded;
  }
  return folded;
}

}  // namespace rnpu::passes
