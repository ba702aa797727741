#include "kernel.h"

#include <algorithm>

namespace rnpu::cpu {

void fail(const std::string& msg) {
  throw KernelError(msg);
}

std::string kernel_key(std::string_view domain, std::string_view op) {
  if (domain.empty() || domain == "ai.onnx") return std::string(op);
  return std::string(domain) + ":" + std::string(op);
}

KernelContext::KernelContext(const Attrs& attrs, std::vector<const Tensor*> inputs,
                             std::vector<Tensor>* outputs, int opset, pthreadpool* pool)
    : attrs_(attrs), inputs_(std::move(inputs)), outputs_(outputs), opset_(opset), pool_(pool) {}

const Tensor& KernelContext::in(size_t i) const {
  if (i >= inputs_.size() || !inputs_[i]) fail("required input " + std::to_string(i) + " missing");
  return *inputs_[i];
}

Tensor& KernelContext::out(size_t i, DType dtype, const Shape& shape) {
  if (i >= outputs_->size()) fail("output " + std::to_string(i) + " out of range");
  Tensor& o = (*outputs_)[i];
  o = alloc_ ? alloc_(i, dtype, shape) : Tensor::make(dtype, shape);
  return o;
}

void KernelContext::set_out(size_t i, Tensor t) {
  if (i >= outputs_->size()) fail("output " + std::to_string(i) + " out of range");
  (*outputs_)[i] = std::move(t);
}

namespace {

bool is_half(DType t) {
  return t == DType::kF16 || t == DType::kBF16;
}

Tensor widen(const Tensor& t) {
  Tensor w = Tensor::make(DType::kF32, t.shape);
  const uint16_t* s = t.as<uint16_t>();
  float* d = w.as<float>();
  int64_t n = t.numel();
  if (t.dtype == DType::kF16)
    half_to_float(s, d, size_t(n));
  else
    for (int64_t i = 0; i < n; ++i) d[i] = bf16_to_float(s[i]);
  return w;
}

void narrow(const Tensor& f, Tensor& h) {
  const float* s = f.as<float>();
  uint16_t* d = h.as<uint16_t>();
  int64_t n = f.numel();
  if (h.dtype == DType::kF16)
    float_to_half(s, d, size_t(n));
  else
    for (int64_t i = 0; i < n; ++i) d[i] = float_to_bf16(s[i]);
}

// Runs a float kernel on half inputs: widen, run, narrow float outputs.
void run_widened(const KernelDef& d, KernelContext& ctx) {
  DType half = DType::kUndefined;
  std::vector<Tensor> wide(ctx.num_inputs());
  std::vector<const Tensor*> ins(ctx.num_inputs());
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor* t = ctx.opt(i);
    if (t && is_half(t->dtype)) {
      if (half == DType::kUndefined) half = t->dtype;
      wide[i] = widen(*t);
      ins[i] = &wide[i];
    } else {
      ins[i] = t;
    }
  }
  std::vector<Tensor> outs(ctx.num_outputs());
  KernelContext sub(ctx.attrs(), ins, &outs, ctx.opset(), ctx.pool());
  d.run(sub);
  for (size_t i = 0; i < outs.size(); ++i) {
    if (outs[i].dtype == DType::kF32) {
      Tensor& h = ctx.out(i, half, outs[i].shape);
      narrow(outs[i], h);
    } else {
      ctx.set_out(i, std::move(outs[i]));
    }
  }
}

}  // namespace

const KernelRegistry& KernelRegistry::get() {
  static const KernelRegistry reg = [] {
    KernelRegistry r;
    register_binary(r);
    register_unary(r);
    register_softmax(r);
    register_reduce(r);
    register_shape_ops(r);
    register_layout(r);
    register_concat_slice(r);
    register_indexing(r);
    register_cast(r);
    register_conv(r);
    register_matmul(r);
    register_pool(r);
    register_norm(r);
    register_quant(r);
    register_resize(r);
    register_misc(r);
    register_loss(r);
    register_signal(r);
    register_detection(r);
    register_rnn(r);
    register_ml(r);
    register_col2im(r);
    register_center_crop_pad(r);
    register_affine_grid(r);
    register_group_norm(r);
    register_deform_conv(r);
    register_grid_sample(r);
    std::sort(r.defs_.begin(), r.defs_.end(),
              [](const KernelDef& a, const KernelDef& b) { return a.op < b.op; });
    return r;
  }();
  return reg;
}

void KernelRegistry::add(KernelDef d) {
  defs_.push_back(std::move(d));
}

const KernelDef* KernelRegistry::find(std::string_view op) const {
  auto it = std::lower_bound(defs_.begin(), defs_.end(), op,
                             [](const KernelDef& a, std::string_view b) { return a.op < b; });
  if (it == defs_.end() || it->op != op) return nullptr;
  return &*it;
}

std::vector<std::string> KernelRegistry::ops() const {
  std::vector<std::string> r;
  for (const auto& d : defs_) r.push_back(d.op);
  return r;
}

std::string KernelRegistry::why_unsupported(const NodeInfo& n) const {
  const KernelDef* d = find(n.op);
  if (!d) return "no CPU kernel for op " + std::string(n.op);
  if (d->input0_types && !n.input_types.empty() && n.input_types[0] != DType::kUndefined) {
    DType t = n.input_types[0];
    bool ok = is_half(t) ? (d->input0_types & (kHalfTypes | kHalfNative)) != 0
              : dtype_is_float8(t) || dtype_is_int4(t) ? (d->input0_types & kByteNative) != 0
                                                       : dtype_in_class(t, d->input0_types);
    if (!ok)
      return std::string(n.op) + " on the CPU does not support element type " + dtype_name(t);
  }
  if (d->check) {
    try {
      return d->check(n);
    } catch (const KernelError& e) {
      return e.what();
    }
  }
  return "";
}

void KernelRegistry::run(std::string_view op, KernelContext& ctx) const {
  const KernelDef* d = find(op);
  if (!d) fail("no CPU kernel for op " + std::string(op));
  if (d->input0_types & kHalfTypes) {
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor* t = ctx.opt(i);
      if (t && is_half(t->dtype)) {
        run_widened(*d, ctx);
        return;
      }
    }
  }
  d->run(ctx);
}

}  // namespace rnpu::cpu
