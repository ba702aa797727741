// Cast and CastLike between every numeric type, bool and half precision.
#include <cmath>
#include <type_traits>

#include "kernel.h"

namespace rnpu::cpu {

namespace {

// Reads element i as double (floats, bool) or int64 (integers, to keep
// 64-bit precision), then stores it in the destination type.
template <class D>
void store_all(const Tensor& x, D* dst) {
  int64_t n = x.numel();
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

void cast_to(KernelContext& c, const Tensor& x, DType to) {
  Tensor& o = c.out(0, to, x.shape);
  if (to == x.dtype) {
    if (x.nbytes()) std::memcpy(o.data, x.data, x.nbytes());
    return;
  }
  if (to == DType::kF16 || to == DType::kBF16) {
    std::vector<float> tmp(size_t(x.numel()));
    store_all<float>(x, tmp.data());
    uint16_t* d = o.as<uint16_t>();
    for (size_t i = 0; i < tmp.size(); ++i)
      d[i] = to == DType::kF16 ? float_to_half(tmp[i]) : float_to_bf16(tmp[i]);
    return;
  }
  bool ok = dispatch<kAllTypes>(to, [&](auto tag) {
    using D = typename decltype(tag)::type;
    store_all<D>(x, o.as<D>());
  });
  if (!ok) fail(std::string("Cast to ") + dtype_name(to) + " is not supported");
}

bool castable(DType t) {
  return dtype_in_class(t, kAllTypes) || t == DType::kF16 || t == DType::kBF16;
}

void k_cast(KernelContext& c) {
  cast_to(c, c.in(0), DType(c.attrs().get_int("to", 0)));
}
void k_cast_like(KernelContext& c) {
  cast_to(c, c.in(0), c.in(1).dtype);
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
