// Reference programs' intermediates in the program's working memory: the
// cpu backend keeps every value inside its partitions to itself
// (uses_host_arena() == false), so without this each intermediate of a
// reference program would get a buffer of its own through
// RunContext::allocate, outside Session::arena_bytes().  Values whose
// shape is static are laid out over the program's step order by the core
// planner instead; the program states the total as its workspace and
// points those values into it before each run.
#include <algorithm>
#include <climits>

#include "plan/memory_planner.h"
#include "program.h"

namespace rnpu::cpu {

void plan_reference_memory(CpuProgram& p, const ir::Graph& sub) {
  size_t n = sub.values.size();
  std::vector<int> first(n, INT_MAX), last(n, -1);
  for (size_t i = 0; i < p.steps.size(); ++i) {
    const Step& s = p.steps[i];
    for (ir::ValueId v : s.outputs)
      if (v != ir::kNoValue) first[size_t(v)] = std::min(first[size_t(v)], int(i));
    for (ir::ValueId v : s.inputs)
      if (v != ir::kNoValue) last[size_t(v)] = std::max(last[size_t(v)], int(i));
  }
  std::vector<char> boundary(n, 0);
  for (ir::ValueId v : sub.outputs) boundary[size_t(v)] = 1;
  for (ir::ValueId v : sub.inputs) boundary[size_t(v)] = 1;
  std::vector<plan::Interval> iv;
  std::vector<ir::ValueId> who;
  for (size_t v = 0; v < n; ++v) {
    const ir::Value& val = sub.values[v];
    if (first[v] == INT_MAX || boundary[v] || val.is_constant()) continue;
    // Sequences, optionals and strings are shared lists, not bytes.
    if (val.kind != ir::ValueKind::kTensor || val.dtype == ir::DType::kString) continue;
    auto numel = val.shape.numel();
    if (!numel || ir::dtype_size(val.dtype) == 0) continue;
    iv.push_back(
        {size_t(*numel) * ir::dtype_size(val.dtype), first[v], std::max(last[v], first[v])});
    who.push_back(ir::ValueId(v));
  }
  plan::MemoryPlan mp = plan::plan_memory(iv, 64);
  if (!mp.ok || !plan::plan_is_valid(iv, mp))
    throw Error(ErrorCode::kInternal, "cpu: the reference program's memory plan is invalid");
  p.planned.clear();
  for (size_t k = 0; k < who.size(); ++k) p.planned.push_back({who[k], mp.offsets[k], iv[k].size});
  p.workspace = mp.peak;
}

void bind_reference_memory(const CpuProgram& p, RunContext& ctx) {
  if (!p.workspace) return;
  std::span<uint8_t> ws = ctx.workspace();
  if (ws.size() < p.workspace) return;  // no planned workspace: RunContext::allocate as before
  for (const CpuProgram::Planned& x : p.planned) {
    HostTensor& h = ctx.tensor(x.value);
    h.data = ws.data() + x.offset;
    h.size = x.bytes;
  }
}

}  // namespace rnpu::cpu
