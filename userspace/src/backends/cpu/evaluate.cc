#include "evaluate.h"

#include <cstring>

#include "convert.h"
#include "ir/fused_activation.h"
#include "ir/quant_ops.h"
#include "ir/string_tensor.h"
#include "kernels/activation.h"
#include "kernels/kernel.h"

namespace rnpu::cpu {

namespace {

// Bytes of a dense tensor, or SIZE_MAX when the shape is invalid or huge.
size_t checked_bytes(DType dt, const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || d > ir::kMaxElements || (n > 0 && d > ir::kMaxElements / n)) return SIZE_MAX;
    n *= d;
  }
  return size_t(n) * dtype_size(dt);
}

// An owned constant of dt/shape, or a KernelError when it exceeds max_bytes.
std::shared_ptr<ir::ConstTensor> make_result(DType dt, const Shape& shape, size_t max_bytes) {
  size_t bytes = checked_bytes(dt, shape);
  if (bytes > max_bytes) fail("result of " + std::to_string(bytes) + " bytes is too large to fold");
  return ir::ConstTensor::make(to_ir(dt), shape);
}

}  // namespace

std::vector<std::shared_ptr<ir::ConstTensor>> evaluate_constant_node(const ir::Graph& g,
                                                                     const ir::Node& n,
                                                                     size_t max_bytes,
                                                                     std::string* why) {
  auto no = [&](std::string reason) {
    if (why) *why = std::move(reason);
    return std::vector<std::shared_ptr<ir::ConstTensor>>{};
  };
  if (!n.domain.empty() && n.domain != "ai.onnx" && n.domain != "ai.onnx.ml")
    return no("domain '" + n.domain + "'");
  std::string bad;
  Attrs attrs = to_cpu_attrs(n.attrs, &bad);
  if (!bad.empty()) return no(bad);
  // Quantisation annotations belong to a backend's folded form, which the
  // plain kernels do not compute.
  const bool quant_ok = ir::quant_aware_op(n.op);
  std::vector<Tensor> views(n.inputs.size());
  std::vector<const Tensor*> ins(n.inputs.size(), nullptr);
  const std::string key = kernel_key(n.domain, n.op);
  NodeInfo info{key, attrs, {}, {}, n.opset};
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    ir::ValueId v = n.inputs[i];
    if (v == ir::kNoValue) {
      info.input_types.push_back(DType::kUndefined);
      continue;
    }
    const ir::Value& val = g.value(v);
    if (!val.is_constant()) return no("input " + std::to_string(i) + " is not constant");
    if (val.kind != ir::ValueKind::kTensor || val.dtype == ir::DType::kString)
      return no("input " + std::to_string(i) + " is not a numeric tensor");
    if (val.quant && !quant_ok) return no("quantised input");
    info.input_types.push_back(to_cpu(val.dtype));
    views[i] = const_view(val.constant);
    ins[i] = &views[i];
  }
  size_t wanted = n.outputs.size();
  // Trailing unused optional outputs are not computed (as in a program).
  while (wanted > 0 && n.outputs[wanted - 1] == ir::kNoValue) --wanted;
  for (size_t i = 0; i < wanted; ++i) {
    ir::ValueId v = n.outputs[i];
    if (v == ir::kNoValue) {
      info.output_types.push_back(DType::kUndefined);
      continue;
    }
    const ir::Value& val = g.value(v);
    if (val.kind != ir::ValueKind::kTensor || val.dtype == ir::DType::kString)
      return no("output " + std::to_string(i) + " is not a numeric tensor");
    if (val.quant && !quant_ok) return no("quantised output");
    info.output_types.push_back(to_cpu(val.dtype));
  }
  const ir::FusedActivation act = ir::fused_activation(n);
  if (!act.op.empty() && !known_activation(act.op))
    return no("fused activation " + act.op + " unknown");
  const KernelRegistry& reg = KernelRegistry::get();
  std::string unsupported = reg.why_unsupported(info);
  if (!unsupported.empty()) return no(unsupported);

  std::vector<Tensor> outs(wanted);
  std::vector<std::shared_ptr<ir::ConstTensor>> made(wanted);
  try {
    KernelContext kc(attrs, ins, &outs, n.opset, nullptr);
    kc.set_allocator([&](size_t i, DType dt, const Shape& shape) {
      made.at(i) = make_result(dt, shape, max_bytes);
      return Tensor::view(dt, shape, made[i]->mutable_data());
    });
    reg.run(key, kc);
    std::vector<std::shared_ptr<ir::ConstTensor>> result(n.outputs.size());
    for (size_t i = 0; i < wanted; ++i) {
      if (n.outputs[i] == ir::kNoValue) continue;
      const Tensor& t = outs[i];
      if (t.dtype == DType::kUndefined) return no("output " + std::to_string(i) + " not produced");
      // Kernels that build a tensor themselves (set_out) leave it outside
      // the allocator's memory: copy it.
      if (!made[i] || made[i]->data != t.data || made[i]->dims != t.shape) {
        made[i] = make_result(t.dtype, t.shape, max_bytes);
        if (t.nbytes()) std::memcpy(made[i]->mutable_data(), t.data, t.nbytes());
      }
      result[i] = made[i];
    }
    if (!act.op.empty() && wanted > 0 && result[0]) {
      Tensor t = Tensor::view(to_cpu(result[0]->dtype), result[0]->dims, result[0]->mutable_data());
      apply_activation(t, act.op, act.alpha, act.beta);
    }
    return result;
  } catch (const std::exception& e) {
    // KernelError for bad data; left for run time, reported there in context.
    return no(e.what());
  }
}

}  // namespace rnpu::cpu
