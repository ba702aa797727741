#include "steps.h"

#include <chrono>
#include <cstring>

#include "backends/cpu/kernels/activation.h"
#include "backends/cpu/kernels/kernel.h"

namespace rnpu::cpu::fast {

void XnnStep::run(FastState& st) {
  for (size_t i = 0; i < refs_.size(); ++i) ptrs_[i] = refs_[i].ptr(st);
  if (!set_up_ || ptrs_ != last_) {
    xnn_check(setup_(op_.get(), ptrs_.data(), st.pool()), "setup");
    last_ = ptrs_;  // same size: no allocation
    set_up_ = true;
  }
  xnn_check(xnn_run_operator(op_.get(), st.pool()), "run");
}

void RefStep::run(FastState& st) {
  std::vector<Tensor> views(inputs.size());
  std::vector<const Tensor*> ins(inputs.size(), nullptr);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]) continue;
    views[i] = Tensor::view(inputs[i]->dtype, inputs[i]->shape, inputs[i]->ptr(st));
    ins[i] = &views[i];
  }
  std::vector<Tensor> outs(outputs.size());
  KernelContext kc(attrs, ins, &outs, opset, st.pool());
  kc.set_allocator([&](size_t i, DType dt, const Shape& shape) {
    if (!outputs[i]) return Tensor::make(dt, shape);
    const TensorRef& r = *outputs[i];
    if (dt != r.dtype || shape != r.shape)
      fail("output " + std::to_string(i) + " is " + dtype_name(dt) + shape_str(shape) +
           " but the compiled plan expected " + dtype_name(r.dtype) + shape_str(r.shape));
    Tensor t = Tensor::view(dt, shape, r.ptr(st));
    if (t.nbytes()) std::memset(t.data, 0, t.nbytes());
    return t;
  });
  if (quantized)
    run_quantized(op, kc, in_quant, out_quant, out_types);
  else
    KernelRegistry::get().run(kernel.empty() ? op : kernel, kc);
  for (size_t i = 0; i < outs.size(); ++i) {
    if (!outputs[i]) continue;
    const TensorRef& r = *outputs[i];
    void* dst = r.ptr(st);
    if (outs[i].data != dst) {  // the kernel built its own tensor (set_out)
      if (outs[i].dtype != r.dtype || outs[i].shape != r.shape)
        fail("output " + std::to_string(i) + " differs from the compiled plan");
      if (outs[i].nbytes()) std::memcpy(dst, outs[i].data, outs[i].nbytes());
      outs[i] = Tensor::view(r.dtype, r.shape, dst);
    }
  }
  if (!activation.empty() && !outs.empty())
    apply_activation(outs[0], activation, act_alpha, act_beta);
}

void run_step(FastStep& s, FastState& st) {
  auto t0 = std::chrono::steady_clock::now();
  try {
    s.run(st);
  } catch (const KernelError& e) {
    throw Error(ErrorCode::kRuntime, e.what(), s.node, s.op);
  }
  if (st.ctx().profiling()) {
    auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    st.ctx().record(OpProfile{s.node, s.op, "cpu", uint64_t(ns), 0});
  }
}

}  // namespace rnpu::cpu::fast
