// Constant folding: nodes whose inputs are all constant are evaluated once
// at load time on a host backend (the cpu backend's kernels, through the
// ordinary backend interface) and replaced by their results.
#include <set>

#include "ir/string_tensor.h"
#include "partition/partitioner.h"
#include "passes/pipeline.h"

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

class FoldCtx : public RunContext {
 public:
  explicit FoldCtx(const ir::Graph& sub) : t_(sub.values.size()), made_(sub.values.size()) {
    for (size_t i = 0; i < sub.values.size(); ++i) {
      const auto& c = sub.values[i].constant;
      if (!c) continue;
      t_[i].dtype = c->dtype;
      t_[i].shape = c->dims;
      t_[i].data = const_cast<void*>(c->data);
      t_[i].size = c->size;
    }
  }
  HostTensor& tensor(ir::ValueId v) override { return t_.at(size_t(v)); }
  void* allocate(ir::ValueId v, ir::DType dt, std::span<const int64_t> shape) override {
    auto c = ir::ConstTensor::make(dt, std::vector<int64_t>(shape.begin(), shape.end()));
    if (c->size > kMaxFoldBytes) throw Error(ErrorCode::kOutOfMemory, "folded result too large");
    HostTensor& h = t_.at(size_t(v));
    h.dtype = dt;
    h.shape = c->dims;
    h.data = c->mutable_data();
    h.size = c->size;
    made_.at(size_t(v)) = c;
    return h.data;
  }
  bool profiling() const override { return false; }
  void record(const OpProfile&) override {}
  std::shared_ptr<ir::ConstTensor> result(ir::ValueId v) const { return made_.at(size_t(v)); }

 private:
  std::vector<HostTensor> t_;
  std::vector<std::shared_ptr<ir::ConstTensor>> made_;
};

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

int fold_constants(ir::Graph& g, Backend* evaluator) {
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
    bool all_const = true;
    for (ir::ValueId v : n.inputs)
      if (v != ir::kNoValue && !g.value(v).is_constant()) all_const = false;
    bool has_graph_attr = false;
    for (const auto& [k, a] : n.attrs.all())
      if (a.kind == ir::Attribute::Kind::kGraph) has_graph_attr = true;
    // Constants are tensors: a sequence or optional result stays run-time
    // work (SequenceEmpty, Optional without input).
    // String tensors are not folded either: the evaluator's constants are
    // byte buffers (ir/string_tensor.h).
    bool tensors_only = !ir::touches_strings(g, n);
    for (ir::ValueId v : n.outputs)
      if (v != ir::kNoValue && g.value(v).kind != ir::ValueKind::kTensor) tensors_only = false;
    if (!all_const || has_graph_attr || !tensors_only || !evaluator) continue;
    bool too_big = false;
    for (ir::ValueId v : n.outputs) {
      if (v == ir::kNoValue) continue;
      auto e = g.value(v).shape.numel();
      size_t es = ir::dtype_size(g.value(v).dtype);
      if (!e || !es || size_t(*e) * es > kMaxFoldBytes) too_big = true;
    }
    if (too_big || !evaluator->supports(g, n).ok) continue;
    try {
      partition::Partition p;
      p.backend = evaluator;
      p.nodes = {id};
      for (ir::ValueId v : n.outputs)
        if (v != ir::kNoValue) p.outputs.push_back(v);
      std::vector<ir::ValueId> map;
      ir::Graph sub = partition::make_subgraph(g, p, &map);
      CompileOptions co;
      auto prog = evaluator->compile(sub, co);
      FoldCtx ctx(sub);
      evaluator->run(*prog, ctx);
      evaluator->read_outputs(*prog, ctx);
      std::vector<std::pair<ir::ValueId, std::shared_ptr<ir::ConstTensor>>> results;
      for (size_t i = 0; i < sub.values.size(); ++i)
        if (auto c = ctx.result(ir::ValueId(i))) results.emplace_back(map[i], c);
      evaluator->destroy(std::move(prog));
      if (results.size() != p.outputs.size()) continue;
      for (auto& [v, c] : results) {
        ir::Value& out = g.value(v);
        out.dtype = c->dtype;
        out.shape = ir::Shape(c->dims);
        out.constant = std::move(c);
      }
      n.dead = true;
      ++folded;
    } catch (const Error&) {
      // Left for run time, where the same error is reported in context.
    }
  }
  return folded;
}

}  // namespace rnpu::passes
