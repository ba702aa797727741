#include "quant_util.h"

#include <algorithm>
#include <limits>

namespace rnpu::cpu {

std::vector<int32_t> widen_minus_zp(const Tensor& t, const Tensor* zp, int64_t slices) {
  if (t.dtype != DType::kU8 && t.dtype != DType::kI8)
    fail(std::string("expected int8/uint8 quantized data, got ") + dtype_name(t.dtype));
  std::vector<int64_t> z = zp ? tensor_to_ints(*zp) : std::vector<int64_t>{0};
  if (z.empty()) z.push_back(0);
  if (z.size() != 1 && int64_t(z.size()) != slices)
    fail("zero point has " + std::to_string(z.size()) + " values, expected 1 or " +
         std::to_string(slices));
  int64_t n = t.numel();
  int64_t per = z.size() == 1 || slices == 0 ? n : n / slices;
  std::vector<int32_t> r(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int32_t v = t.dtype == DType::kU8 ? int32_t(t.as<uint8_t>()[i]) : int32_t(t.as<int8_t>()[i]);
    r[size_t(i)] = v - int32_t(z.size() == 1 ? z[0] : z[size_t(i / per)]);
  }
  return r;
}

namespace {
template <class T>
void store(Tensor& y, int64_t i, float v, int32_t zp) {
  double q = double(round_half_even(v)) + zp;
  q = std::clamp(q, double(std::numeric_limits<T>::lowest()),
                 double(std::numeric_limits<T>::max()));
  y.as<T>()[i] = T(q);
}

// int4/uint4 live in an int8/uint8 each, clamped to 4 bits.
void store4(Tensor& y, int64_t i, float v, int32_t zp, int lo, int hi) {
  double q = std::clamp(double(round_half_even(v)) + zp, double(lo), double(hi));
  if (y.dtype == DType::kI4)
    y.as<int8_t>()[i] = int8_t(q);
  else
    y.as<uint8_t>()[i] = uint8_t(q);
}
}  // namespace

void store_quantized(Tensor& y, int64_t i, float v, int32_t zp) {
  if (std::isnan(v)) v = 0;  // converting NaN to an integer is undefined
  switch (y.dtype) {
    case DType::kI4:
      return store4(y, i, v, zp, -8, 7);
    case DType::kU4:
      return store4(y, i, v, zp, 0, 15);
    case DType::kU8:
      return store<uint8_t>(y, i, v, zp);
    case DType::kI8:
      return store<int8_t>(y, i, v, zp);
    case DType::kU16:
      return store<uint16_t>(y, i, v, zp);
    case DType::kI16:
      return store<int16_t>(y, i, v, zp);
    case DType::kI32:
      return store<int32_t>(y, i, v, zp);
    default:
      fail(std::string("unsupported quantized type ") + dtype_name(y.dtype));
  }
}

}  // namespace rnpu::cpu
