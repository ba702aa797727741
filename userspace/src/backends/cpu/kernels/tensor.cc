#include "tensor.h"

#include <cstdlib>
#include <cstring>

#include "float8.h"
#include "kernel.h"

namespace rnpu::cpu {

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

std::string shape_str(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) r += ",";
    r += std::to_string(s[i]);
  }
  return r + "]";
}

std::vector<int64_t> shape_strides(const Shape& s) {
  std::vector<int64_t> st(s.size());
  int64_t acc = 1;
  for (size_t i = s.size(); i-- > 0;) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

Tensor Tensor::make(DType dtype, Shape shape) {
  // Output shapes come from inputs and attributes: bound them (2^40
  // elements, as ir::kMaxElements) before sizing anything.
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) fail("negative dimension in output shape " + shape_str(shape));
    if (__builtin_mul_overflow(n, d, &n) || n > (int64_t(1) << 40))
      fail("output shape " + shape_str(shape) + " is too large");
  }
  Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  size_t bytes = t.nbytes();
  // Round up so vector loads past the last element stay inside the buffer.
  size_t alloc = (bytes + 64) & ~size_t(63);
  void* p = std::aligned_alloc(64, alloc);
  if (!p) fail("out of memory allocating " + std::to_string(bytes) + " bytes");
  std::memset(p, 0, alloc);
  t.storage = std::shared_ptr<void>(p, std::free);
  t.data = p;
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = make(dtype, shape);
  if (nbytes()) std::memcpy(t.data, data, nbytes());
  return t;
}

int64_t tensor_get_int(const Tensor& t, int64_t i) {
  int64_t v = 0;
  if (t.dtype == DType::kI4) return t.as<int8_t>()[i];
  if (t.dtype == DType::kU4) return t.as<uint8_t>()[i];
  bool ok = dispatch<kAllTypes>(t.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    v = int64_t(t.as<T>()[i]);
  });
  if (!ok) fail(std::string("expected an integer tensor, got ") + dtype_name(t.dtype));
  return v;
}

double tensor_get_double(const Tensor& t, int64_t i) {
  double v = 0;
  if (t.dtype == DType::kF16) return half_to_float(t.as<uint16_t>()[i]);
  if (t.dtype == DType::kBF16) return bf16_to_float(t.as<uint16_t>()[i]);
  if (t.dtype == DType::kI4) return t.as<int8_t>()[i];
  if (t.dtype == DType::kU4) return t.as<uint8_t>()[i];
  if (dtype_is_float8(t.dtype)) return float8_to_float(t.as<uint8_t>()[i], t.dtype);
  bool ok = dispatch<kAllTypes>(t.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    v = double(t.as<T>()[i]);
  });
  if (!ok) fail(std::string("expected a numeric tensor, got ") + dtype_name(t.dtype));
  return v;
}

std::vector<int64_t> tensor_to_ints(const Tensor& t) {
  std::vector<int64_t> r(size_t(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) r[size_t(i)] = tensor_get_int(t, i);
  return r;
}

std::vector<double> tensor_to_doubles(const Tensor& t) {
  std::vector<double> r(size_t(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) r[size_t(i)] = tensor_get_double(t, i);
  return r;
}

}  // namespace rnpu::cpu
