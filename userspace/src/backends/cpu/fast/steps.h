// The step kinds of a fast program.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backends/cpu/kernels/attrs.h"
#include "backends/cpu/kernels/quantized.h"
#include "fast_program.h"
#include "xnn_util.h"

namespace rnpu::cpu::fast {

// A tensor as a step addresses it: where it lives and its physical shape.
// `alloc_shape` is the logical shape used when the runtime must allocate
// the value (same element count).
struct TensorRef {
  Slot slot;
  DType dtype = DType::kF32;
  Shape shape;
  Shape alloc_shape;
  void* ptr(FastState& st) const { return st.ptr(slot, dtype, alloc_shape); }
};

// Runs arbitrary code (layout conversions, concat, small own kernels).
class LambdaStep : public FastStep {
 public:
  explicit LambdaStep(std::function<void(FastState&)> f) : f_(std::move(f)) {}
  void run(FastState& st) override { f_(st); }

 private:
  std::function<void(FastState&)> f_;
};

// An XNNPACK operator created at compile time.  setup() is called again
// only when a buffer address changes (first run, or the runtime moved a
// buffer); every run then just runs the operator.
class XnnStep : public FastStep {
 public:
  using SetupFn = std::function<xnn_status(xnn_operator_t, void* const* ptrs, pthreadpool*)>;
  XnnStep(XnnOp op, std::vector<TensorRef> refs, SetupFn setup)
      : op_(std::move(op)),
        refs_(std::move(refs)),
        setup_(std::move(setup)),
        ptrs_(refs_.size()),
        last_(refs_.size(), nullptr) {}
  void run(FastState& st) override;

 private:
  XnnOp op_;
  std::vector<TensorRef> refs_;
  SetupFn setup_;
  std::vector<void*> ptrs_, last_;  // sized once: a run allocates nothing
  bool set_up_ = false;
};

// A reference kernel over slots with planned (physical) shapes.
class RefStep : public FastStep {
 public:
  Attrs attrs;
  std::string kernel;  // registry name (kernel_key); FastStep::op is for display
  int opset = 17;
  std::vector<std::optional<TensorRef>> inputs, outputs;
  std::string activation;
  float act_alpha = 0, act_beta = 0;
  bool quantized = false;  // see run_quantized
  std::vector<std::optional<QuantSpec>> in_quant, out_quant;
  std::vector<DType> out_types;
  void run(FastState& st) override;
};

// Runs one step, recording its time when profiling and turning kernel
// errors into rnpu::Error naming the node.
void run_step(FastStep& s, FastState& st);

}  // namespace rnpu::cpu::fast
