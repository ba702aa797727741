// Cast and CastLike between every numeric type, bool, half precision, float8
// and int4/uint4 (opsets 19 and 21, with `saturate` for float8 targets).
#include <cmath>
#include <type_traits>

#include "float8.h"
#include "kernel.h"

namespace rnpu::cpu {

namespace {

// Reads element i as double (floats, bool) or int64 (integers, to keep
// 64-bit precision), then stores it in the destination type.
template <class D>
void store_all(const Tensor& x, D* dst) {
  int64_t n = x.numel();
  if constexpr (std::is_same_v<D, float>) {
    if (x.dtype == DType::kF16) return half_to_float(x.as<uint16_t>(), dst, size_t(n));
  }
  if (x.dtype == DType::kF16 || x.dtype == DType::kBF16) {
    const uint16_t* s = x.as<uint16_t>();
    bool h = x.dtype == DType::kF16;
    for (int64_t i = 0; i < n; ++i) {
      float f = h ? half_to_float(s[i]) : bf16_to_float(s[i]);
      if constexpr (std::is_same_v<D, bool>)
        dst[i] = f != 0.0f;
      else
        dst[i] = D(f);
    }
    return;
  }
  bool ok = dispatch<kAllTypes>(x.dtype, [&](auto tag) {
    using S = typename decltype(tag)::type;
    const S* s = x.as<S>();
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<D, bool>) {
        dst[i] = s[i] != S(0);
      } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
        // Saturate NaN/overflow instead of invoking undefined behaviour.
        double v = double(s[i]);
        if (std::isnan(v)) v = 0;
        if (v <= double(std::numeric_limits<D>::lowest()))
          dst[i] = std::numeric_limits<D>::lowest();
        else if (v >= double(std::numeric_limits<D>::max()))
          dst[i] = std::numeric_limits<D>::max();
        else
          dst[i] = D(v);
      } else {
        dst[i] = D(s[i]);
      }
    }
  });
  if (!ok) fail(std::string("Cast from ") + dtype_name(x.dtype) + " is not supported");
}

// `x` as a tensor store_all reads: float8 decoded into `buf` as float, int4
// and uint4 as the int8/uint8 they are stored in.
Tensor readable(const Tensor& x, std::vector<float>& buf) {
  void* data = const_cast<void*>(x.data);
  if (dtype_is_float8(x.dtype)) {
    buf.resize(size_t(x.numel()));
    const uint8_t* s = x.as<uint8_t>();
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = float8_to_float(s[i], x.dtype);
    return Tensor::view(DType::kF32, x.shape, buf.data());
  }
  if (x.dtype == DType::kI4) return Tensor::view(DType::kI8, x.shape, data);
  if (x.dtype == DType::kU4) return Tensor::view(DType::kU8, x.shape, data);
  return Tensor::view(x.dtype, x.shape, data);
}

// Types stored as bit patterns: every source goes through float first, as
// ONNX's reference does.
bool narrowed_from_float(DType t) {
  return t == DType::kF16 || t == DType::kBF16 || dtype_is_float8(t) || dtype_is_int4(t);
}

void cast_to(KernelContext& c, const Tensor& x, DType to, bool saturate) {
  Tensor& o = c.out(0, to, x.shape);
  if (to == x.dtype) {
    if (x.nbytes()) std::memcpy(o.data, x.data, x.nbytes());
    return;
  }
  std::vector<float> decoded;
  Tensor src = readable(x, decoded);
  if (narrowed_from_float(to)) {
    std::vector<float> tmp(size_t(x.numel()));
    store_all<float>(src, tmp.data());
    if (to == DType::kF16) {
      float_to_half(tmp.data(), o.as<uint16_t>(), tmp.size());
    } else if (to == DType::kBF16) {
      uint16_t* d = o.as<uint16_t>();
      for (size_t i = 0; i < tmp.size(); ++i) d[i] = float_to_bf16(tmp[i]);
    } else if (to == DType::kI4) {
      int8_t* d = o.as<int8_t>();
      for (size_t i = 0; i < tmp.size(); ++i) d[i] = float_to_int4(tmp[i]);
    } else if (to == DType::kU4) {
      uint8_t* d = o.as<uint8_t>();
      for (size_t i = 0; i < tmp.size(); ++i) d[i] = float_to_uint4(tmp[i]);
    } else {
      uint8_t* d = o.as<uint8_t>();
      for (size_t i = 0; i < tmp.size(); ++i) d[i] = float_to_float8(tmp[i], to, saturate);
    }
    return;
  }
  bool ok = dispatch<kAllTypes>(to, [&](auto tag) {
    using D = typename decltype(tag)::type;
    store_all<D>(src, o.as<D>());
  });
  if (!ok) fail(std::string("Cast to ") + dtype_name(to) + " is not supported");
}

bool castable(DType t) {
  return dtype_in_class(t, kAllTypes) || t == DType::kF16 || t == DType::kBF16 ||
         dtype_is_float8(t) || dtype_is_int4(t);
}

bool saturate(const KernelContext& c) {
  return c.attrs().get_int("saturate", 1) != 0;
}

void k_cast(KernelContext& c) {
  cast_to(c, c.in(0), DType(c.attrs().get_int("to", 0)), saturate(c));
}
void k_cast_like(KernelContext& c) {
  cast_to(c, c.in(0), c.in(1).dtype, saturate(c));
}

std::string check_cast(const NodeInfo& n) {
  DType to = n.op == "CastLike" ? (n.input_types.size() > 1 ? n.input_types[1] : DType::kUndefined)
                                : DType(n.attrs.get_int("to", 0));
  if (!n.input_types.empty() && !castable(n.input_types[0]))
    return std::string("Cast from ") + dtype_name(n.input_types[0]) + " is not supported";
  if (to != DType::kUndefined && !castable(to))
    return std::string("Cast to ") + dtype_name(to) + " is not supported";
  return "";
}

}  // namespace

void register_cast(KernelRegistry& r) {
  r.add({"Cast", k_cast, 0, check_cast});
  r.add({"CastLike", k_cast_like, 0, check_cast});
}

}  // namespace rnpu::cpu
