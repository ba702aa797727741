#include "quantized.h"

#include <cmath>
#include <cstring>

#include "quant_util.h"

namespace rnpu::cpu {

namespace {

// Index of the scale/zero point for element i, given per-channel `axis`.
struct Channel {
  int64_t inner = 1, dim = 1;
  bool per = false;
  int64_t at(int64_t i) const { return per ? (i / inner) % dim : 0; }
};

Channel channel_of(const Shape& shape, const QuantSpec& s) {
  Channel c;
  if (s.scale.size() <= 1) return c;
  int64_t rank = int64_t(shape.size());
  int64_t axis = s.axis < 0 ? s.axis + rank : s.axis;
  if (axis < 0 || axis >= rank || shape[size_t(axis)] != int64_t(s.scale.size()))
    fail("per-channel quantisation of " + std::to_string(s.scale.size()) +
         " channels does not match shape " + shape_str(shape));
  c.per = true;
  c.dim = shape[size_t(axis)];
  for (int64_t d = axis + 1; d < rank; ++d) c.inner *= shape[size_t(d)];
  return c;
}

}  // namespace

Tensor dequantize_tensor(const Tensor& q, const QuantSpec& s) {
  if (s.scale.empty()) fail("quantised value without a scale");
  Channel ch = channel_of(q.shape, s);
  Tensor f = Tensor::make(DType::kF32, q.shape);
  std::vector<int64_t> v = tensor_to_ints(q);
  for (int64_t i = 0; i < q.numel(); ++i) {
    int64_t k = ch.at(i);
    int32_t zp = s.zero_point.empty() ? 0 : s.zero_point[size_t(k)];
    f.as<float>()[i] = float(v[size_t(i)] - zp) * s.scale[size_t(k)];
  }
  return f;
}

void quantize_tensor(const Tensor& f, const QuantSpec& s, Tensor& q) {
  if (s.scale.empty()) fail("quantised value without a scale");
  Channel ch = channel_of(f.shape, s);
  for (int64_t i = 0; i < f.numel(); ++i) {
    int64_t k = ch.at(i);
    int32_t zp = s.zero_point.empty() ? 0 : s.zero_point[size_t(k)];
    store_quantized(q, i, f.as<float>()[i] / s.scale[size_t(k)], zp);
  }
}

void run_quantized(const std::string& op, KernelContext& ctx,
                   const std::vector<std::optional<QuantSpec>>& in_q,
                   const std::vector<std::optional<QuantSpec>>& out_q,
                   const std::vector<DType>& out_types) {
  std::vector<Tensor> deq(ctx.num_inputs());
  std::vector<const Tensor*> ins(ctx.num_inputs());
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor* t = ctx.opt(i);
    if (t && i < in_q.size() && in_q[i]) {
      deq[i] = dequantize_tensor(*t, *in_q[i]);
      ins[i] = &deq[i];
    } else {
      ins[i] = t;
    }
  }
  std::vector<Tensor> outs(ctx.num_outputs());
  KernelContext sub(ctx.attrs(), ins, &outs, ctx.opset(), ctx.pool());
  KernelRegistry::get().run(op, sub);
  for (size_t i = 0; i < outs.size(); ++i) {
    if (!outs[i].data && outs[i].dtype == DType::kUndefined) continue;
    if (i < out_q.size() && out_q[i]) {
      if (outs[i].dtype != DType::kF32) fail("quantised output of a non-float result");
      Tensor& q = ctx.out(i, out_types[i], outs[i].shape);
      quantize_tensor(outs[i], *out_q[i], q);
    } else {
      Tensor& o = ctx.out(i, outs[i].dtype, outs[i].shape);
      if (o.nbytes()) std::memcpy(o.data, outs[i].data, o.nbytes());
    }
  }
}

}  // namespace rnpu::cpu
