// Softmax, LogSoftmax and Hardmax.  Before opset 13 they flatten the input
// to 2-D at `axis` (default 1); from 13 they act along one axis (default -1).
#include <cmath>
#include <limits>

#include "broadcast.h"

namespace rnpu::cpu {
namespace {

enum class Mode { kSoftmax, kLog, kHard };

struct Geometry {
  int64_t outer, n, inner;
};

Geometry geometry(const KernelContext& c, const Shape& s) {
  bool legacy = c.opset() < 13;
  int64_t rank = int64_t(s.size());
  int64_t axis = norm_axis(c.attrs().get_int("axis", legacy ? 1 : -1), rank);
  Geometry g{1, 1, 1};
  for (int64_t i = 0; i < axis; ++i) g.outer *= s[size_t(i)];
  if (legacy) {
    for (int64_t i = axis; i < rank; ++i) g.n *= s[size_t(i)];
  } else {
    g.n = s[size_t(axis)];
    for (int64_t i = axis + 1; i < rank; ++i) g.inner *= s[size_t(i)];
  }
  return g;
}

template <class T>
void softmax_rows(const T* x, T* y, Geometry g, Mode m) {
  for (int64_t o = 0; o < g.outer; ++o) {
    for (int64_t in = 0; in < g.inner; ++in) {
      const T* px = x + o * g.n * g.inner + in;
      T* py = y + o * g.n * g.inner + in;
      int64_t st = g.inner;
      T mx = -std::numeric_limits<T>::infinity();
      int64_t arg = 0;
      for (int64_t i = 0; i < g.n; ++i)
        if (px[i * st] > mx) {
          mx = px[i * st];
          arg = i;
        }
      if (m == Mode::kHard) {
        for (int64_t i = 0; i < g.n; ++i) py[i * st] = T(i == arg ? 1 : 0);
        continue;
      }
      T sum = 0;
      for (int64_t i = 0; i < g.n; ++i) {
        T e = std::exp(px[i * st] - mx);
        if (m == Mode::kSoftmax) py[i * st] = e;
        sum += e;
      }
      if (m == Mode::kSoftmax) {
        T inv = T(1) / sum;
        for (int64_t i = 0; i < g.n; ++i) py[i * st] *= inv;
      } else {
        T ls = std::log(sum);
        for (int64_t i = 0; i < g.n; ++i) py[i * st] = px[i * st] - mx - ls;
      }
    }
  }
}

template <Mode M>
void k_softmax(KernelContext& c) {
  const Tensor& x = c.in(0);
  Geometry g = geometry(c, x.shape);
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, x.dtype, x.shape);
    softmax_rows<T>(x.as<T>(), y.as<T>(), g, M);
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

}  // namespace

void register_softmax(KernelRegistry& r) {
  r.add({"Softmax", k_softmax<Mode::kSoftmax>, kFloatTypes | kHalfTypes});
  r.add({"LogSoftmax", k_softmax<Mode::kLog>, kFloatTypes | kHalfTypes});
  r.add({"Hardmax", k_softmax<Mode::kHard>, kFloatTypes | kHalfTypes});
}

}  // namespace rnpu::cpu
