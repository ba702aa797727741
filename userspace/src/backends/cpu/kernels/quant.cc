// Linear (de)quantization: QuantizeLinear, DequantizeLinear (per tensor or
// per axis) and DynamicQuantizeLinear.
#include <algorithm>
#include <cmath>

#include "broadcast.h"
#include "quant_util.h"

namespace rnpu::cpu {
namespace {

// Index of the scale/zero point that applies to element i.
struct PerAxis {
  int64_t inner = 1, dim = 1;
  bool per_axis = false;
  int64_t at(int64_t i) const { return per_axis ? (i / inner) % dim : 0; }
};

PerAxis per_axis(const KernelContext& c, const Tensor& x, const Tensor& scale) {
  PerAxis p;
  if (scale.numel() <= 1 && scale.rank() <= 1) return p;
  int64_t axis = norm_axis(c.attrs().get_int("axis", 1), int64_t(x.rank()));
  p.per_axis = true;
  p.dim = x.shape[size_t(axis)];
  if (scale.numel() != p.dim) fail("per-axis scale length differs from the axis dimension");
  for (size_t d = size_t(axis) + 1; d < x.rank(); ++d) p.inner *= x.shape[d];
  return p;
}

void k_quantize(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& scale = c.in(1);
  const Tensor* zp = c.opt(2);
  PerAxis pa = per_axis(c, x, scale);
  std::vector<double> xs = tensor_to_doubles(x), sc = tensor_to_doubles(scale);
  std::vector<int64_t> z = zp ? tensor_to_ints(*zp) : std::vector<int64_t>{0};
  Tensor& y = c.out(0, zp ? zp->dtype : DType::kU8, x.shape);
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t k = pa.at(i);
    double s = sc[size_t(sc.size() == 1 ? 0 : k)];
    int64_t zv = z[size_t(z.size() == 1 ? 0 : k)];
    store_quantized(y, i, float(xs[size_t(i)] / s), int32_t(zv));
  }
}

void k_dequantize(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& scale = c.in(1);
  const Tensor* zp = c.opt(2);
  PerAxis pa = per_axis(c, x, scale);
  std::vector<int64_t> xs = tensor_to_ints(x);
  std::vector<double> sc = tensor_to_doubles(scale);
  std::vector<int64_t> z = zp ? tensor_to_ints(*zp) : std::vector<int64_t>{0};
  if (z.empty()) z.push_back(0);
  Tensor& y = c.out(0, scale.dtype == DType::kF64 ? DType::kF64 : DType::kF32, x.shape);
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t k = pa.at(i);
    double v = double(xs[size_t(i)] - z[size_t(z.size() == 1 ? 0 : k)]) *
               sc[size_t(sc.size() == 1 ? 0 : k)];
    if (y.dtype == DType::kF64)
      y.as<double>()[i] = v;
    else
      y.as<float>()[i] = float(v);
  }
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
  r.add({"QuantizeLinear", k_quantize, kFloatTypes | kSignedTypes | kHalfTypes});
  r.add({"DequantizeLinear", k_dequantize, kIntTypes});
  r.add({"DynamicQuantizeLinear", k_dynamic_quantize, kFloatTypes});
}

}  // namespace rnpu::cpu
