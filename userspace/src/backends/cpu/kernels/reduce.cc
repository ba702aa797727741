// Reductions over a set of axes (ReduceSum, ReduceMean, ...) and ArgMax/ArgMin.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "broadcast.h"

namespace rnpu::cpu {
namespace {

enum class Red { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kLogSum, kLogSumExp, kSumSquare };

// Axes come from the attribute (older opsets) or from input 1.
std::vector<int64_t> reduce_axes(const KernelContext& c) {
  if (c.attrs().has("axes")) return c.attrs().get_ints("axes");
  if (const Tensor* a = c.opt(1)) return tensor_to_ints(*a);
  return {};
}

template <Red R, class T>
void reduce_typed(KernelContext& c, const Tensor& x, const std::vector<bool>& reduced,
                  bool keepdims) {
  // bool accumulates in uint8_t: std::vector<bool> has no element references.
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double,
                                 std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>>;
  Shape kshape = x.shape, oshape;
  int64_t count = 1;
  for (size_t i = 0; i < x.shape.size(); ++i) {
    if (reduced[i]) {
      kshape[i] = 1;
      count *= x.shape[i];
      if (keepdims) oshape.push_back(1);
    } else {
      oshape.push_back(x.shape[i]);
    }
  }
  int64_t on = shape_numel(kshape);
  Acc init = 0;
  if constexpr (R == Red::kMax) init = std::numeric_limits<T>::lowest();
  if constexpr (R == Red::kMin) init = std::numeric_limits<T>::max();
  if constexpr (R == Red::kProd) init = 1;
  if constexpr (std::is_floating_point_v<T>) {
    if (R == Red::kMax) init = -std::numeric_limits<double>::infinity();
    if (R == Red::kMin) init = std::numeric_limits<double>::infinity();
  }
  std::vector<Acc> acc(static_cast<size_t>(on), init);
  const T* px = x.as<T>();
  broadcast_loop<1>(
      x.shape, {&kshape},
      [&](int64_t o, std::array<int64_t, 1> off, std::array<int64_t, 1> st, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
          Acc v = Acc(px[o + i]);
          Acc& a = acc[size_t(off[0] + i * st[0])];
          if constexpr (R == Red::kSum || R == Red::kMean || R == Red::kLogSum)
            a += v;
          else if constexpr (R == Red::kMax)
            a = v > a ? v : a;
          else if constexpr (R == Red::kMin)
            a = v < a ? v : a;
          else if constexpr (R == Red::kProd)
            a *= v;
          else if constexpr (R == Red::kL1)
            a += v < 0 ? Acc(-v) : v;
          else if constexpr (R == Red::kL2 || R == Red::kSumSquare)
            a += v * v;
          else if constexpr (R == Red::kLogSumExp)
            a += Acc(std::exp(double(v)));
        }
      });
  Tensor& out = c.out(0, x.dtype, oshape);
  T* po = out.as<T>();
  for (int64_t i = 0; i < on; ++i) {
    Acc a = acc[size_t(i)];
    double d = double(a);
    if constexpr (R == Red::kMean) d = d / double(count);
    if constexpr (R == Red::kL2) d = std::sqrt(d);
    if constexpr (R == Red::kLogSum || R == Red::kLogSumExp) d = std::log(d);
    if constexpr (R == Red::kMean || R == Red::kL2 || R == Red::kLogSum || R == Red::kLogSumExp)
      po[i] = T(d);
    else
      po[i] = T(a);
  }
}

template <Red R>
void k_reduce(KernelContext& c) {
  const Tensor& x = c.in(0);
  int64_t rank = int64_t(x.rank());
  bool keepdims = c.attrs().get_int("keepdims", 1) != 0;
  std::vector<int64_t> axes = reduce_axes(c);
  bool noop = c.attrs().get_int("noop_with_empty_axes", 0) != 0;
  if (axes.empty() && noop) {
    c.set_out(0, x.clone());
    return;
  }
  std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty());
  for (int64_t a : axes) reduced[size_t(norm_axis(a, rank))] = true;
  // Max and min of bool (opset 20) are "any" and "all".
  constexpr unsigned cls = (R == Red::kMax || R == Red::kMin)
                               ? (kNumericTypes | kBoolType)
                               : (kFloatTypes | kSignedTypes | kUnsignedTypes);
  bool ok = dispatch<cls>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    reduce_typed<R, T>(c, x, reduced, keepdims);
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

template <bool Max>
void k_arg(KernelContext& c) {
  const Tensor& x = c.in(0);
  int64_t rank = int64_t(x.rank());
  int64_t axis = norm_axis(c.attrs().get_int("axis", 0), rank);
  bool keepdims = c.attrs().get_int("keepdims", 1) != 0;
  bool last = c.attrs().get_int("select_last_index", 0) != 0;
  int64_t outer = 1, n = x.shape[size_t(axis)], inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= x.shape[size_t(i)];
  for (int64_t i = axis + 1; i < rank; ++i) inner *= x.shape[size_t(i)];
  Shape os = x.shape;
  if (keepdims)
    os[size_t(axis)] = 1;
  else
    os.erase(os.begin() + axis);
  if (n == 0) fail("ArgMax/ArgMin over an empty axis");
  Tensor& out = c.out(0, DType::kI64, os);
  int64_t* po = out.as<int64_t>();
  bool ok = dispatch<kNumericTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.as<T>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t in = 0; in < inner; ++in) {
        const T* p = px + o * n * inner + in;
        int64_t best = 0;
        for (int64_t i = 1; i < n; ++i) {
          T v = p[i * inner], b = p[best * inner];
          bool better = Max ? (last ? v >= b : v > b) : (last ? v <= b : v < b);
          if (better) best = i;
        }
        po[o * inner + in] = best;
      }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

}  // namespace

void register_reduce(KernelRegistry& r) {
  const unsigned num = kNumericTypes | kHalfTypes;
  r.add({"ReduceSum", k_reduce<Red::kSum>, num});
  r.add({"ReduceMean", k_reduce<Red::kMean>, num});
  r.add({"ReduceMax", k_reduce<Red::kMax>, num | kBoolType});
  r.add({"ReduceMin", k_reduce<Red::kMin>, num | kBoolType});
  r.add({"ReduceProd", k_reduce<Red::kProd>, num});
  r.add({"ReduceL1", k_reduce<Red::kL1>, num});
  r.add({"ReduceL2", k_reduce<Red::kL2>, num});
  r.add({"ReduceLogSum", k_reduce<Red::kLogSum>, num});
  r.add({"ReduceLogSumExp", k_reduce<Red::kLogSumExp>, num});
  r.add({"ReduceSumSquare", k_reduce<Red::kSumSquare>, num});
  r.add({"ArgMax", k_arg<true>, num});
  r.add({"ArgMin", k_arg<false>, num});
}

}  // namespace rnpu::cpu
