#include <chrono>
#include <cstring>

#include "convert.h"
#include "kernels/activation.h"
#include "program.h"

namespace rnpu::cpu {

namespace {

// Output memory for value v: the runtime's planned slot when it has the
// right type and shape, else whatever RunContext::allocate gives.  Zeroed,
// because some kernels (scatter-adds, triangular masks) only write part.
Tensor place_output(RunContext& ctx, ir::ValueId v, DType dt, const Shape& shape) {
  if (v == ir::kNoValue) return Tensor::make(dt, shape);
  HostTensor& h = ctx.tensor(v);
  size_t bytes = size_t(shape_numel(shape)) * dtype_size(dt);
  void* p = nullptr;
  if (h.data && h.dtype == to_ir(dt) && h.shape == shape && h.size >= bytes)
    p = h.data;
  else
    p = ctx.allocate(v, to_ir(dt), shape);
  if (bytes) std::memset(p, 0, bytes);
  return Tensor::view(dt, shape, p);
}

}  // namespace

void set_step_quant(Step& s, const ir::Graph& g) {
  s.in_quant.clear();
  s.out_quant.clear();
  s.out_types.clear();
  s.quantized = false;
  for (ir::ValueId v : s.inputs) {
    s.in_quant.push_back(v == ir::kNoValue ? std::nullopt : quant_of(g.value(v)));
    s.quantized |= s.in_quant.back().has_value();
  }
  for (ir::ValueId v : s.outputs) {
    s.out_quant.push_back(v == ir::kNoValue ? std::nullopt : quant_of(g.value(v)));
    s.out_types.push_back(v == ir::kNoValue ? DType::kUndefined : to_cpu(g.value(v).dtype));
    s.quantized |= s.out_quant.back().has_value();
  }
}

void run_reference_step(const Step& s, RunContext& ctx, pthreadpool* pool) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<Tensor> views(s.inputs.size());
  std::vector<const Tensor*> ins(s.inputs.size(), nullptr);
  for (size_t i = 0; i < s.inputs.size(); ++i) {
    if (s.inputs[i] == ir::kNoValue) continue;
    const HostTensor& h = ctx.tensor(s.inputs[i]);
    views[i] = host_view(h);
    if (!h.data && views[i].nbytes() != 0)
      throw Error(ErrorCode::kInternal, "input " + std::to_string(i) + " has no data", s.name,
                  s.op);
    ins[i] = &views[i];
  }
  std::vector<Tensor> outs(s.outputs.size());
  KernelContext kc(s.attrs, ins, &outs, s.opset, pool);
  kc.set_allocator([&](size_t i, DType dt, const Shape& shape) {
    return place_output(ctx, s.outputs[i], dt, shape);
  });
  try {
    if (s.quantized)
      run_quantized(s.op, kc, s.in_quant, s.out_quant, s.out_types);
    else
      KernelRegistry::get().run(s.kernel.empty() ? s.op : s.kernel, kc);
    for (size_t i = 0; i < outs.size(); ++i) {
      ir::ValueId v = s.outputs[i];
      if (v == ir::kNoValue) continue;
      // Kernels that build a tensor themselves (set_out) leave it outside
      // the runtime's memory: copy it in.
      if (!outs[i].data && outs[i].nbytes() == 0 && outs[i].dtype == DType::kUndefined)
        throw KernelError("output " + std::to_string(i) + " was not produced");
      if (ctx.tensor(v).data != outs[i].data || ctx.tensor(v).shape != outs[i].shape) {
        Tensor placed = place_output(ctx, v, outs[i].dtype, outs[i].shape);
        if (placed.nbytes()) std::memcpy(placed.data, outs[i].data, placed.nbytes());
        outs[i] = placed;
      }
    }
    if (!s.activation.empty() && !outs.empty())
      apply_activation(outs[0], s.activation, s.act_alpha, s.act_beta);
  } catch (const KernelError& e) {
    throw Error(ErrorCode::kRuntime, e.what(), s.name, s.op);
  }
  record_step(s, ctx, t0);
}

void record_step(const Step& s, RunContext& ctx, std::chrono::steady_clock::time_point t0) {
  if (!ctx.profiling()) return;
  auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  ctx.record(OpProfile{s.name, s.op, "cpu", uint64_t(ns), 0});
}

}  // namespace rnpu::cpu
