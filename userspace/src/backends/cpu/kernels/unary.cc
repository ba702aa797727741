// Unary elementwise operators: math functions, predicates and activations.
#include <cmath>
#include <limits>
#include <type_traits>

#include "elementwise.h"

namespace rnpu::cpu {
namespace {

// Applies op (a generic lambda) to every element; the result is cast back to
// the input type.
template <unsigned Cls, class Op>
void run_unary(KernelContext& c, Op op) {
  const Tensor& x = c.in(0);
  bool ok = dispatch<Cls>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& o = c.out(0, x.dtype, x.shape);
    unary_map<T, T>(x, o, [&](T v) { return T(op(v)); });
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

// Predicates produce bool.
template <unsigned Cls, class Op>
void run_predicate(KernelContext& c, Op op) {
  const Tensor& x = c.in(0);
  bool ok = dispatch<Cls>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& o = c.out(0, DType::kBool, x.shape);
    unary_map<T, bool>(x, o, [&](T v) { return bool(op(v)); });
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

template <class T>
T sigmoid(T v) {
  if (v >= 0) return T(1) / (T(1) + std::exp(-v));
  T e = std::exp(v);
  return e / (T(1) + e);
}

#define FLOAT_UNARY(NAME, EXPR)                              \
  void NAME(KernelContext& c) {                              \
    run_unary<kFloatTypes>(c, [&](auto v) { return EXPR; }); \
  }

FLOAT_UNARY(k_exp, std::exp(v))
FLOAT_UNARY(k_log, std::log(v))
FLOAT_UNARY(k_sqrt, std::sqrt(v))
FLOAT_UNARY(k_reciprocal, decltype(v)(1) / v)
FLOAT_UNARY(k_floor, std::floor(v))
FLOAT_UNARY(k_ceil, std::ceil(v))
FLOAT_UNARY(k_round, std::nearbyint(v))
FLOAT_UNARY(k_sin, std::sin(v))
FLOAT_UNARY(k_cos, std::cos(v))
FLOAT_UNARY(k_tan, std::tan(v))
FLOAT_UNARY(k_asin, std::asin(v))
FLOAT_UNARY(k_acos, std::acos(v))
FLOAT_UNARY(k_atan, std::atan(v))
FLOAT_UNARY(k_sinh, std::sinh(v))
FLOAT_UNARY(k_cosh, std::cosh(v))
FLOAT_UNARY(k_asinh, std::asinh(v))
FLOAT_UNARY(k_acosh, std::acosh(v))
FLOAT_UNARY(k_atanh, std::atanh(v))
FLOAT_UNARY(k_erf, std::erf(v))
FLOAT_UNARY(k_tanh, std::tanh(v))
FLOAT_UNARY(k_sigmoid, sigmoid(v))
FLOAT_UNARY(k_softsign, v / (decltype(v)(1) + std::abs(v)))
// log1p(exp(x)) overflows for large x, where softplus(x) == x.
FLOAT_UNARY(k_softplus, v > decltype(v)(30) ? v : std::log1p(std::exp(v)))
// Mish: x * tanh(softplus(x)), with softplus's large-x shortcut.
FLOAT_UNARY(k_mish, v* std::tanh(v > decltype(v)(30) ? v : std::log1p(std::exp(v))))
FLOAT_UNARY(k_hardswish,
            v* std::max(decltype(v)(0), std::min(decltype(v)(1), v / 6 + decltype(v)(0.5))))
#undef FLOAT_UNARY

void k_abs(KernelContext& c) {
  run_unary<kNumericTypes>(c, [](auto v) {
    using T = decltype(v);
    if constexpr (std::is_unsigned_v<T>)
      return v;
    else
      return v < T(0) ? T(-v) : v;
  });
}
void k_neg(KernelContext& c) {
  run_unary<kFloatTypes | kSignedTypes>(c, [](auto v) { return decltype(v)(-v); });
}
void k_sign(KernelContext& c) {
  run_unary<kNumericTypes>(c, [](auto v) {
    using T = decltype(v);
    return T(v > T(0) ? 1 : (v < T(0) ? -1 : 0));
  });
}
void k_not(KernelContext& c) {
  run_unary<kBoolType>(c, [](bool v) { return !v; });
}
void k_bitwise_not(KernelContext& c) {
  run_unary<kIntTypes>(c, [](auto v) { return decltype(v)(~v); });
}
void k_isnan(KernelContext& c) {
  run_predicate<kFloatTypes>(c, [](auto v) { return std::isnan(v); });
}
void k_isinf(KernelContext& c) {
  bool neg = c.attrs().get_int("detect_negative", 1) != 0;
  bool pos = c.attrs().get_int("detect_positive", 1) != 0;
  run_predicate<kFloatTypes>(
      c, [&](auto v) { return std::isinf(v) && ((v > 0 && pos) || (v < 0 && neg)); });
}

void k_relu(KernelContext& c) {
  run_unary<kFloatTypes | kSignedTypes>(c, [](auto v) { return v > 0 ? v : decltype(v)(0); });
}
void k_leaky_relu(KernelContext& c) {
  float a = c.attrs().get_float("alpha", 0.01f);
  run_unary<kFloatTypes>(c, [a](auto v) { return v >= 0 ? v : decltype(v)(a) * v; });
}
void k_elu(KernelContext& c) {
  float a = c.attrs().get_float("alpha", 1.0f);
  run_unary<kFloatTypes>(c, [a](auto v) {
    using T = decltype(v);
    return v >= 0 ? v : T(a) * (std::exp(v) - T(1));
  });
}
void k_celu(KernelContext& c) {
  float a = c.attrs().get_float("alpha", 1.0f);
  run_unary<kFloatTypes>(c, [a](auto v) {
    using T = decltype(v);
    return std::max(T(0), v) + std::min(T(0), T(a) * (std::exp(v / T(a)) - T(1)));
  });
}
void k_selu(KernelContext& c) {
  float a = c.attrs().get_float("alpha", 1.67326319217681884765625f);
  float g = c.attrs().get_float("gamma", 1.05070102214813232421875f);
  run_unary<kFloatTypes>(c, [a, g](auto v) {
    using T = decltype(v);
    return v > 0 ? T(g) * v : T(g) * (T(a) * std::exp(v) - T(a));
  });
}
void k_hard_sigmoid(KernelContext& c) {
  float a = c.attrs().get_float("alpha", 0.2f);
  float b = c.attrs().get_float("beta", 0.5f);
  run_unary<kFloatTypes>(c, [a, b](auto v) {
    using T = decltype(v);
    return std::max(T(0), std::min(T(1), T(a) * v + T(b)));
  });
}
void k_thresholded_relu(KernelContext& c) {
  float a = c.attrs().get_float("alpha", 1.0f);
  run_unary<kFloatTypes>(c, [a](auto v) { return v > decltype(v)(a) ? v : decltype(v)(0); });
}
void k_shrink(KernelContext& c) {
  float bias = c.attrs().get_float("bias", 0.0f);
  float lambd = c.attrs().get_float("lambd", 0.5f);
  run_unary<kNumericTypes>(c, [=](auto v) {
    double d = double(v);
    return d < -lambd ? d + bias : (d > lambd ? d - bias : 0.0);
  });
}
void k_gelu(KernelContext& c) {
  std::string approx = c.attrs().get_string("approximate", "none");
  if (approx != "none" && approx != "tanh") fail("Gelu approximate must be none or tanh");
  bool tanh_form = approx == "tanh";
  run_unary<kFloatTypes>(c, [tanh_form](auto v) {
    using T = decltype(v);
    if (tanh_form)
      return T(0.5) * v * (T(1) + std::tanh(T(0.7978845608028654) * (v + T(0.044715) * v * v * v)));
    return T(0.5) * v * (T(1) + std::erf(v * T(0.7071067811865476)));
  });
}

// Clip takes min/max as attributes before opset 11 and as optional inputs after.
void k_clip(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor* lo = c.opt(1);
  const Tensor* hi = c.opt(2);
  bool ok = dispatch<kNumericTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T mn = std::numeric_limits<T>::lowest();
    T mx = std::numeric_limits<T>::max();
    if (c.attrs().has("min")) mn = T(c.attrs().get_float("min", 0));
    if (c.attrs().has("max")) mx = T(c.attrs().get_float("max", 0));
    if (lo) {
      check(lo->numel() == 1, "Clip min must be a scalar");
      mn = lo->as<T>()[0];
    }
    if (hi) {
      check(hi->numel() == 1, "Clip max must be a scalar");
      mx = hi->as<T>()[0];
    }
    Tensor& o = c.out(0, x.dtype, x.shape);
    unary_map<T, T>(x, o, [mn, mx](T v) { return v < mn ? mn : (v > mx ? mx : v); });
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

}  // namespace

void register_unary(KernelRegistry& r) {
  const unsigned fl = kFloatTypes | kHalfTypes;
  r.add({"Exp", k_exp, fl});
  r.add({"Log", k_log, fl});
  r.add({"Sqrt", k_sqrt, fl});
  r.add({"Reciprocal", k_reciprocal, fl});
  r.add({"Floor", k_floor, fl});
  r.add({"Ceil", k_ceil, fl});
  r.add({"Round", k_round, fl});
  r.add({"Sin", k_sin, fl});
  r.add({"Cos", k_cos, fl});
  r.add({"Tan", k_tan, fl});
  r.add({"Asin", k_asin, fl});
  r.add({"Acos", k_acos, fl});
  r.add({"Atan", k_atan, fl});
  r.add({"Sinh", k_sinh, fl});
  r.add({"Cosh", k_cosh, fl});
  r.add({"Asinh", k_asinh, fl});
  r.add({"Acosh", k_acosh, fl});
  r.add({"Atanh", k_atanh, fl});
  r.add({"Erf", k_erf, fl});
  r.add({"Tanh", k_tanh, fl});
  r.add({"Sigmoid", k_sigmoid, fl});
  r.add({"Softsign", k_softsign, fl});
  r.add({"Softplus", k_softplus, fl});
  r.add({"HardSwish", k_hardswish, fl});
  r.add({"Mish", k_mish, fl});
  r.add({"Abs", k_abs, kNumericTypes | kHalfTypes});
  r.add({"Neg", k_neg, kFloatTypes | kSignedTypes | kHalfTypes});
  r.add({"Sign", k_sign, kNumericTypes | kHalfTypes});
  r.add({"Not", k_not, kBoolType});
  r.add({"BitwiseNot", k_bitwise_not, kIntTypes});
  r.add({"IsNaN", k_isnan, fl});
  r.add({"IsInf", k_isinf, fl});
  r.add({"Relu", k_relu, kFloatTypes | kSignedTypes | kHalfTypes});
  r.add({"LeakyRelu", k_leaky_relu, fl});
  r.add({"Elu", k_elu, fl});
  r.add({"Celu", k_celu, fl});
  r.add({"Selu", k_selu, fl});
  r.add({"HardSigmoid", k_hard_sigmoid, fl});
  r.add({"ThresholdedRelu", k_thresholded_relu, fl});
  r.add({"Shrink", k_shrink, kNumericTypes | kHalfTypes});
  r.add({"Gelu", k_gelu, fl});
  r.add({"Clip", k_clip, kNumericTypes | kHalfTypes});
}

}  // namespace rnpu::cpu
