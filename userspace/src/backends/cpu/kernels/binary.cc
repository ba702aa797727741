// Broadcasting binary and variadic elementwise operators: arithmetic,
// comparisons, logic, bit shifts, Min/Max/Sum/Mean and PRelu.
#include <cmath>
#include <functional>
#include <type_traits>

#include "elementwise.h"

namespace rnpu::cpu {

void broadcast_copy(const Tensor& in, Tensor& out) {
  dispatch_bytes(in.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor dummy = Tensor::view(in.dtype, {}, nullptr);
    const T* x = in.as<T>();
    T* z = out.as<T>();
    broadcast_loop<1>(
        out.shape, {&in.shape},
        [&](int64_t o, std::array<int64_t, 1> off, std::array<int64_t, 1> st, int64_t n) {
          for (int64_t i = 0; i < n; ++i) z[o + i] = x[off[0] + i * st[0]];
        });
  });
}

namespace {

void same_types(const KernelContext& ctx, size_t n) {
  DType t = ctx.in(0).dtype;
  for (size_t i = 1; i < n; ++i)
    if (ctx.in(i).dtype != t)
      fail(std::string("input ") + std::to_string(i) + " is " + dtype_name(ctx.in(i).dtype) +
           " but input 0 is " + dtype_name(t));
}

// Runs a same-type binary op: output type R is T, or bool when Bool is set.
template <unsigned Cls, bool Bool, class MakeOp>
void run_binary(KernelContext& ctx, MakeOp make_op) {
  same_types(ctx, 2);
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  Shape s = broadcast_shapes(a.shape, b.shape);
  bool ok = dispatch<Cls>(a.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using R = std::conditional_t<Bool, bool, T>;
    Tensor& o = ctx.out(0, dtype_of<R>(), s);
    binary_map<T, T, R>(a, b, o, make_op(tag));
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(a.dtype));
}

template <class T>
T int_div(T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    if (y == 0) return 0;  // avoid a hardware trap; ONNX leaves it undefined
    if constexpr (std::is_signed_v<T>)
      if (y == -1) return T(-x);
  }
  return x / y;
}

template <class T>
T mod_op(T x, T y, bool fmod) {
  if constexpr (std::is_floating_point_v<T>) {
    T r = std::fmod(x, y);
    if (!fmod && r != 0 && ((r < 0) != (y < 0))) r += y;
    return r;
  } else {
    if (y == 0) return 0;
    if constexpr (std::is_signed_v<T>) {
      if (y == -1) return 0;
      T r = T(x % y);
      if (!fmod && r != 0 && ((r < 0) != (y < 0))) r = T(r + y);
      return r;
    } else {
      return T(x % y);
    }
  }
}

// Integer arithmetic wraps around (two's complement) as in numpy and ONNX
// Runtime; it is done in an unsigned type because signed overflow (also
// after promotion of 8/16-bit operands to int) is undefined behaviour.
template <class T, class F>
T wrapping(T x, T y, F f) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
    return T(f(U(x), U(y)));
  } else {
    return T(f(x, y));
  }
}

void k_add(KernelContext& c) {
  run_binary<kNumericTypes, false>(c, [](auto t) {
    using T = typename decltype(t)::type;
    return [](T x, T y) { return wrapping(x, y, std::plus<>()); };
  });
}
void k_sub(KernelContext& c) {
  run_binary<kNumericTypes, false>(c, [](auto t) {
    using T = typename decltype(t)::type;
    return [](T x, T y) { return wrapping(x, y, std::minus<>()); };
  });
}
void k_mul(KernelContext& c) {
  run_binary<kNumericTypes, false>(c, [](auto t) {
    using T = typename decltype(t)::type;
    return [](T x, T y) { return wrapping(x, y, std::multiplies<>()); };
  });
}
void k_div(KernelContext& c) {
  run_binary<kNumericTypes, false>(c, [](auto t) {
    using T = typename decltype(t)::type;
    return [](T x, T y) { return int_div<T>(x, y); };
  });
}
void k_mod(KernelContext& c) {
  bool fm = c.attrs().get_int("fmod", 0) != 0;
  if (!fm && dtype_is_float(c.in(0).dtype)) fail("Mod on floating point requires fmod=1");
  run_binary<kNumericTypes, false>(c, [fm](auto t) {
    using T = typename decltype(t)::type;
    return [fm](T x, T y) { return mod_op<T>(x, y, fm); };
  });
}
void k_bitshift(KernelContext& c) {
  std::string dir = c.attrs().get_string("direction", "");
  if (dir != "LEFT" && dir != "RIGHT") fail("BitShift direction must be LEFT or RIGHT");
  bool left = dir == "LEFT";
  run_binary<kUnsignedTypes, false>(c, [left](auto t) {
    using T = typename decltype(t)::type;
    return [left](T x, T y) {
      if (y >= T(sizeof(T) * 8)) return T(0);
      return left ? T(x << y) : T(x >> y);
    };
  });
}

void k_equal(KernelContext& c) {
  run_binary<kAllTypes, true>(c, [](auto t) {
    using T = typename decltype(t)::type;
    return [](T x, T y) { return x == y; };
  });
}
void k_less(KernelContext& c) {
  run_binary<kNumericTypes, true>(c, [](auto t) {
    using T = typename decltype(t)::type;
    return [](T x, T y) { return x < y; };
  });
}
void k_less_eq(KernelContext& c) {
  run_binary<kNumericTypes, true>(c, [](auto t) {
    using T = typename decltype(t)::type;
    return [](T x, T y) { return x <= y; };
  });
}
void k_greater(KernelContext& c) {
  run_binary<kNumericTypes, true>(c, [](auto t) {
    using T = typename decltype(t)::type;
    return [](T x, T y) { return x > y; };
  });
}
void k_greater_eq(KernelContext& c) {
  run_binary<kNumericTypes, true>(c, [](auto t) {
    using T = typename decltype(t)::type;
    return [](T x, T y) { return x >= y; };
  });
}
void k_and(KernelContext& c) {
  run_binary<kBoolType, true>(c, [](auto) { return [](bool x, bool y) { return x && y; }; });
}
void k_or(KernelContext& c) {
  run_binary<kBoolType, true>(c, [](auto) { return [](bool x, bool y) { return x || y; }; });
}
void k_xor(KernelContext& c) {
  run_binary<kBoolType, true>(c, [](auto) { return [](bool x, bool y) { return x != y; }; });
}
void k_bitwise_and(KernelContext& c) {
  run_binary<kIntTypes, false>(c, [](auto t) {
    using T = typename decltype(t)::type;
    return [](T x, T y) { return T(x & y); };
  });
}
void k_bitwise_or(KernelContext& c) {
  run_binary<kIntTypes, false>(c, [](auto t) {
    using T = typename decltype(t)::type;
    return [](T x, T y) { return T(x | y); };
  });
}
void k_bitwise_xor(KernelContext& c) {
  run_binary<kIntTypes, false>(c, [](auto t) {
    using T = typename decltype(t)::type;
    return [](T x, T y) { return T(x ^ y); };
  });
}

// Pow allows the exponent to have a different type; the result has the
// base's type.  The exponent is read as double.
void k_pow(KernelContext& c) {
  const Tensor& a = c.in(0);
  const Tensor& b = c.in(1);
  Shape s = broadcast_shapes(a.shape, b.shape);
  Tensor bd = Tensor::make(DType::kF64, b.shape);
  for (int64_t i = 0; i < b.numel(); ++i) bd.as<double>()[i] = tensor_get_double(b, i);
  bool ok = dispatch<kNumericTypes>(a.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& o = c.out(0, a.dtype, s);
    if constexpr (std::is_same_v<T, float>) {
      binary_map<T, double, T>(a, bd, o, [](float x, double y) {
        if (y == 2.0) return x * x;
        if (y == 0.5) return std::sqrt(x);
        return std::pow(x, float(y));
      });
    } else {
      binary_map<T, double, T>(a, bd, o, [](T x, double y) { return T(std::pow(double(x), y)); });
    }
  });
  if (!ok) fail(std::string("Pow does not support ") + dtype_name(a.dtype));
}

// Min, Max, Sum and Mean take any number of broadcastable inputs.
template <class MakeOp>
void run_variadic(KernelContext& c, MakeOp make_op, bool mean) {
  size_t n = c.num_inputs();
  if (n == 0) fail("needs at least one input");
  same_types(c, n);
  std::vector<const Shape*> shapes;
  for (size_t i = 0; i < n; ++i) shapes.push_back(&c.in(i).shape);
  Shape s = broadcast_shapes(shapes);
  const Tensor& a = c.in(0);
  bool ok = dispatch<kNumericTypes>(a.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& o = c.out(0, a.dtype, s);
    broadcast_copy(a, o);
    auto op = make_op(tag);
    for (size_t i = 1; i < n; ++i) binary_map<T, T, T>(o, c.in(i), o, op);
    if (mean) {
      T* p = o.as<T>();
      for (int64_t i = 0; i < o.numel(); ++i) p[i] = T(p[i] / T(n));
    }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(a.dtype));
}

template <class T>
T nan_max(T x, T y) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
  return x > y ? x : y;
}
template <class T>
T nan_min(T x, T y) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
  return x < y ? x : y;
}

void k_max(KernelContext& c) {
  run_variadic(
      c,
      [](auto t) {
        using T = typename decltype(t)::type;
        return [](T x, T y) { return nan_max<T>(x, y); };
      },
      false);
}
void k_min(KernelContext& c) {
  run_variadic(
      c,
      [](auto t) {
        using T = typename decltype(t)::type;
        return [](T x, T y) { return nan_min<T>(x, y); };
      },
      false);
}
void k_sum(KernelContext& c) {
  run_variadic(
      c,
      [](auto t) {
        using T = typename decltype(t)::type;
        return [](T x, T y) { return T(x + y); };
      },
      false);
}
void k_mean(KernelContext& c) {
  run_variadic(
      c,
      [](auto t) {
        using T = typename decltype(t)::type;
        return [](T x, T y) { return T(x + y); };
      },
      true);
}

void k_prelu(KernelContext& c) {
  same_types(c, 2);
  const Tensor& x = c.in(0);
  const Tensor& slope = c.in(1);
  Shape s = broadcast_shapes(x.shape, slope.shape);
  if (s != x.shape) fail("PRelu slope " + shape_str(slope.shape) + " must broadcast to X");
  bool ok = dispatch<kNumericTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& o = c.out(0, x.dtype, s);
    binary_map<T, T, T>(x, slope, o, [](T v, T a) { return v < T(0) ? T(v * a) : v; });
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

}  // namespace

void register_binary(KernelRegistry& r) {
  const unsigned num = kNumericTypes | kHalfTypes;
  r.add({"Add", k_add, num});
  r.add({"Sub", k_sub, num});
  r.add({"Mul", k_mul, num});
  r.add({"Div", k_div, num});
  r.add({"Mod", k_mod, num});
  r.add({"Pow", k_pow, kFloatTypes | kSignedTypes | kUnsignedTypes | kHalfTypes});
  r.add({"BitShift", k_bitshift, kUnsignedTypes});
  r.add({"Equal", k_equal, kAllTypes | kHalfTypes});
  r.add({"Less", k_less, num});
  r.add({"LessOrEqual", k_less_eq, num});
  r.add({"Greater", k_greater, num});
  r.add({"GreaterOrEqual", k_greater_eq, num});
  r.add({"And", k_and, kBoolType});
  r.add({"Or", k_or, kBoolType});
  r.add({"Xor", k_xor, kBoolType});
  r.add({"BitwiseAnd", k_bitwise_and, kIntTypes});
  r.add({"BitwiseOr", k_bitwise_or, kIntTypes});
  r.add({"BitwiseXor", k_bitwise_xor, kIntTypes});
  r.add({"Max", k_max, num});
  r.add({"Min", k_min, num});
  r.add({"Sum", k_sum, num});
  r.add({"Mean", k_mean, num});
  r.add({"PRelu", k_prelu, num});
}

}  // namespace rnpu::cpu
