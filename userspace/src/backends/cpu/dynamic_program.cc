#include "dynamic_program.h"

#include <algorithm>

#include "fast/fast_compile.h"
#include "fast/steps.h"

namespace rnpu::cpu {

void run_fast(fast::FastProgram& p, RunContext& ctx) {
  fast::FastState st(ctx, p);
  for (auto& s : p.steps) fast::run_step(*s, st);
}

DynamicProgram::DynamicProgram(const ir::Graph& sub, size_t runtime_values,
                               std::vector<ir::ValueId> shape_source, const CompileOptions& o,
                               std::unique_ptr<CpuProgram> reference)
    : sub_(sub),
      runtime_values_(runtime_values),
      shape_source_(std::move(shape_source)),
      opts_(o),
      reference_(std::move(reference)) {
  // The partition inputs, then every value specialize() pins (its shape
  // source in runtime ids), each once.
  std::vector<char> seen(runtime_values_, 0);
  auto add = [&](ir::ValueId v) {
    while (size_t(v) >= runtime_values_) v = shape_source_[size_t(v) - runtime_values_];
    if (!seen[size_t(v)]) {
      seen[size_t(v)] = 1;
      keyed_.push_back(v);
    }
  };
  for (ir::ValueId v : sub_.inputs) add(v);
  for (size_t i = 0; i < sub_.values.size(); ++i)
    if (!sub_.values[i].constant && !sub_.values[i].shape.is_static()) add(ir::ValueId(i));
}

DynamicProgram::Entry& DynamicProgram::specialize(RunContext& ctx,
                                                  std::vector<std::vector<int64_t>> key) {
  if (cache_.size() >= kMaxSpecializations) {
    auto lru = std::min_element(cache_.begin(), cache_.end(), [](const Entry& a, const Entry& b) {
      return a.last_use < b.last_use;
    });
    cache_.erase(lru);
  }
  Entry e;
  e.key = std::move(key);
  // Pin every value to the shape the runtime resolved for these inputs.
  ir::Graph g = sub_;
  bool resolved = true;
  for (size_t i = 0; i < g.values.size() && resolved; ++i) {
    ir::Value& v = g.values[i];
    if (v.constant || v.shape.is_static()) continue;
    ir::ValueId src = ir::ValueId(i);
    while (size_t(src) >= runtime_values_) src = shape_source_[size_t(src) - runtime_values_];
    const std::vector<int64_t>& dims = ctx.tensor(src).shape;
    bool known = v.shape.has_rank ? dims.size() == v.shape.rank() : !dims.empty();
    for (int64_t d : dims) known &= d >= 0;
    if (!known) {
      resolved = false;
      break;
    }
    v.shape = ir::Shape(dims);
  }
  if (resolved) {
    std::string why;
    e.program = fast::compile_fast(g, opts_, &why, reference_->pool.get());
  }
  cache_.push_back(std::move(e));
  return cache_.back();
}

void DynamicProgram::run(RunContext& ctx) {
  Entry* e = nullptr;
  for (Entry& c : cache_) {
    bool same = true;
    for (size_t i = 0; same && i < keyed_.size(); ++i)
      same = c.key[i] == ctx.tensor(keyed_[i]).shape;  // runtime ids
    if (same) e = &c;
  }
  if (!e) {
    std::vector<std::vector<int64_t>> key;
    key.reserve(keyed_.size());
    for (ir::ValueId v : keyed_) key.push_back(ctx.tensor(v).shape);
    e = &specialize(ctx, std::move(key));
  }
  e->last_use = ++clock_;
  if (e->program) {
    run_fast(*e->program, ctx);
  } else {
    for (const Step& s : reference_->steps) run_reference_step(s, ctx, reference_->pool.get());
  }
}

}  // namespace rnpu::cpu
