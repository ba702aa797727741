// Linear (de)quantization: QuantizeLinear, DequantizeLinear (per tensor, per
// axis or blocked; integers, int4 and float8) and DynamicQuantizeLinear.
#include <algorithm>
#include <cmath>

#include "broadcast.h"
#include "float8.h"
#include "quant_util.h"

namespace rnpu::cpu {
namespace {

// Which scale and zero point apply to element i: one for the tensor, one
// per index along `axis` (1-D parameters), or blocked (opset 21: parameters
// of x's rank whose `axis` dimension has one entry per `block_size` elements).
struct ParamIndex {
  enum class Mode { kTensor, kAxis, kBlocked } mode = Mode::kTensor;
  int64_t inner = 1, dim = 1, blocks = 1, block = 1;
  int64_t at(int64_t i) const {
    if (mode == Mode::kTensor) return 0;
    int64_t a = (i / inner) % dim;
    if (mode == Mode::kAxis) return a;
    int64_t outer = i / (inner * dim);
    return (outer * blocks + a / block) * inner + i % inner;
  }
};

ParamIndex param_index(const KernelContext& c, const Tensor& x, const Tensor& scale,
                       const Tensor* zp) {
  ParamIndex p;
  if (scale.numel() == 0) fail("scale is empty");
  int64_t block = c.attrs().get_int("block_size", 0);
  if (block < 0) fail("block_size must not be negative");
  if (zp && (block ? zp->shape != scale.shape : zp->numel() != scale.numel()))
    fail("zero point shape " + shape_str(zp->shape) + " differs from the scale's " +
         shape_str(scale.shape));
  if (block == 0 && scale.numel() == 1) return p;
  int64_t rank = int64_t(x.rank());
  int64_t axis = norm_axis(c.attrs().get_int("axis", 1), rank);
  p.dim = x.shape[size_t(axis)];
  for (int64_t d = axis + 1; d < rank; ++d) p.inner *= x.shape[size_t(d)];
  if (block == 0) {
    if (scale.rank() != 1) fail("per-axis scale must be 1-D (blocked scales need block_size)");
    if (scale.numel() != p.dim) fail("per-axis scale length differs from the axis dimension");
    p.mode = ParamIndex::Mode::kAxis;
    return p;
  }
  if (int64_t(scale.rank()) != rank)
    fail("blocked scale " + shape_str(scale.shape) + " differs in rank from the input " +
         shape_str(x.shape));
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && scale.shape[size_t(d)] != x.shape[size_t(d)])
      fail("blocked scale " + shape_str(scale.shape) + " differs from the input " +
           shape_str(x.shape) + " outside axis " + std::to_string(axis));
  p.blocks = scale.shape[size_t(axis)];
  if (p.blocks != (p.dim + block - 1) / block)
    fail("blocked scale has " + std::to_string(p.blocks) + " blocks along axis " +
         std::to_string(axis) + ", the input's " + std::to_string(p.dim) + " elements need " +
         std::to_string((p.dim + block - 1) / block) + " of " + std::to_string(block));
  p.block = block;
  p.mode = ParamIndex::Mode::kBlocked;
  return p;
}

bool quantized_int(DType t) {
  return t == DType::kU8 || t == DType::kI8 || t == DType::kU16 || t == DType::kI16 ||
         t == DType::kI32 || dtype_is_int4(t);
}

// Float8 has no zero point: ONNX requires it to be 0 where one is given.
void check_float8_zero(const Tensor* zp) {
  if (!zp) return;
  const uint8_t* z = zp->as<uint8_t>();
  for (int64_t i = 0; i < zp->numel(); ++i)
    if (z[i] != 0) fail("a float8 zero point must be 0");
}

// The output type: output_dtype (opset 21), else the zero point's, else uint8.
DType quantize_type(const KernelContext& c, const Tensor* zp) {
  DType want = DType(c.attrs().get_int("output_dtype", 0));
  if (zp && want != DType::kUndefined && want != zp->dtype)
    fail(std::string("output_dtype ") + dtype_name(want) + " differs from the zero point's " +
         dtype_name(zp->dtype));
  DType t = zp ? zp->dtype : want != DType::kUndefined ? want : DType::kU8;
  if (!quantized_int(t) && !dtype_is_float8(t))
    fail(std::string("cannot quantize to ") + dtype_name(t));
  return t;
}

void k_quantize(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& scale = c.in(1);
  const Tensor* zp = c.opt(2);
  DType t = quantize_type(c, zp);
  ParamIndex pi = param_index(c, x, scale, zp);
  std::vector<double> xs = tensor_to_doubles(x), sc = tensor_to_doubles(scale);
  Tensor& y = c.out(0, t, x.shape);
  if (dtype_is_float8(t)) {
    check_float8_zero(zp);
    bool saturate = c.attrs().get_int("saturate", 1) != 0;
    uint8_t* d = y.as<uint8_t>();
    for (int64_t i = 0; i < x.numel(); ++i)
      d[i] = float_to_float8(float(xs[size_t(i)] / sc[size_t(pi.at(i))]), t, saturate);
    return;
  }
  std::vector<int64_t> z = zp ? tensor_to_ints(*zp) : std::vector<int64_t>{0};
  for (int64_t i = 0; i < x.numel(); ++i) {
    size_t k = size_t(pi.at(i));
    store_quantized(y, i, float(xs[size_t(i)] / sc[k]), int32_t(z[z.size() == 1 ? 0 : k]));
  }
}

void store_real(Tensor& y, int64_t i, float v) {
  switch (y.dtype) {
    case DType::kF64:
      y.as<double>()[i] = v;
      break;
    case DType::kF16:
      y.as<uint16_t>()[i] = float_to_half(v);
      break;
    case DType::kBF16:
      y.as<uint16_t>()[i] = float_to_bf16(v);
      break;
    default:
      y.as<float>()[i] = v;
  }
}

// ONNX computes (x - zero_point) * scale in float32 and converts the product
// to the scale's type.
void k_dequantize(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& scale = c.in(1);
  const Tensor* zp = c.opt(2);
  if (!dtype_is_float(scale.dtype))
    fail(std::string("DequantizeLinear scale of ") + dtype_name(scale.dtype) + " is not supported");
  ParamIndex pi = param_index(c, x, scale, zp);
  std::vector<double> sc = tensor_to_doubles(scale);
  Tensor& y = c.out(0, scale.dtype, x.shape);
  if (dtype_is_float8(x.dtype)) {
    check_float8_zero(zp);
    const uint8_t* s = x.as<uint8_t>();
    for (int64_t i = 0; i < x.numel(); ++i)
      store_real(y, i, float8_to_float(s[i], x.dtype) * float(sc[size_t(pi.at(i))]));
    return;
  }
  if (zp && zp->dtype != x.dtype)
    fail(std::string("zero point type ") + dtype_name(zp->dtype) + " differs from the input's " +
         dtype_name(x.dtype));
  std::vector<int64_t> xs = tensor_to_ints(x);
  std::vector<int64_t> z = zp ? tensor_to_ints(*zp) : std::vector<int64_t>{0};
  for (int64_t i = 0; i < x.numel(); ++i) {
    size_t k = size_t(pi.at(i));
    float d = float(xs[size_t(i)] - z[z.size() == 1 ? 0 : k]);
    store_real(y, i, d * float(sc[k]));
  }
}

std::string check_quantize(const NodeInfo& n) {
  DType zt = n.input_types.size() > 2 ? n.input_types[2] : DType::kUndefined;
  DType t = zt != DType::kUndefined ? zt : DType(n.attrs.get_int("output_dtype", 0));
  if (t != DType::kUndefined && !quantized_int(t) && !dtype_is_float8(t))
    return std::string("QuantizeLinear to ") + dtype_name(t) + " is not supported";
  return "";
}

std::string check_dequantize(const NodeInfo& n) {
  DType x = n.input_types.empty() ? DType::kUndefined : n.input_types[0];
  if (x != DType::kUndefined && !quantized_int(x) && !dtype_is_float8(x) && !dtype_is_int(x))
    return std::string("DequantizeLinear from ") + dtype_name(x) + " is not supported";
  DType s = n.input_types.size() > 1 ? n.input_types[1] : DType::kUndefined;
  if (s != DType::kUndefined && !dtype_is_float(s))
    return std::string("DequantizeLinear scale of ") + dtype_name(s) + " is not supported";
  return "";
}

void k_dynamic_quantize(KernelContext& c) {
  const Tensor& x = c.in(0);
  if (x.dtype != DType::kF32) fail("DynamicQuantizeLinear needs float32 input");
  const float* p = x.as<float>();
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    lo = std::min(lo, p[i]);
    hi = std::max(hi, p[i]);
  }
  float scale = (hi - lo) / 255.0f;
  float zpf = scale == 0 ? 0 : std::clamp(round_half_even(0 - lo / scale), 0.0f, 255.0f);
  Tensor& y = c.out(0, DType::kU8, x.shape);
  for (int64_t i = 0; i < x.numel(); ++i)
    store_quantized(y, i, scale == 0 ? 0 : p[i] / scale, int32_t(zpf));
  c.out(1, DType::kF32, {}).as<float>()[0] = scale;
  c.out(2, DType::kU8, {}).as<uint8_t>()[0] = uint8_t(zpf);
}

}  // namespace

void register_quant(KernelRegistry& r) {
  r.add({"QuantizeLinear", k_quantize, kFloatTypes | kSignedTypes | kHalfTypes, check_quantize});
  r.add({"DequantizeLinear", k_dequantize, 0, check_dequantize});
  r.add({"DynamicQuantizeLinear", k_dynamic_quantize, kFloatTypes});
}

}  // namespace rnpu::cpu
