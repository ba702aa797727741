// Shared loops for elementwise kernels: a broadcasting binary map and a
// unary map, both templated on the functor so the inner loops vectorize.
#pragma once

#include <array>

#include "broadcast.h"
#include "kernel.h"

namespace rnpu::cpu {

// out[i] = op(a[i], b[i]) with broadcasting; `out` must already have the
// broadcast shape.
template <class A, class B, class R, class Op>
void binary_map(const Tensor& a, const Tensor& b, Tensor& out, Op op) {
  const A* pa = a.as<A>();
  const B* pb = b.as<B>();
  R* po = out.as<R>();
  broadcast_loop<2>(
      out.shape, {&a.shape, &b.shape},
      [&](int64_t o, std::array<int64_t, 2> off, std::array<int64_t, 2> st, int64_t n) {
        const A* x = pa + off[0];
        const B* y = pb + off[1];
        R* z = po + o;
        if (st[0] == 1 && st[1] == 1) {
          for (int64_t i = 0; i < n; ++i) z[i] = op(x[i], y[i]);
        } else if (st[0] == 1 && st[1] == 0) {
          const B yv = *y;
          for (int64_t i = 0; i < n; ++i) z[i] = op(x[i], yv);
        } else if (st[0] == 0 && st[1] == 1) {
          const A xv = *x;
          for (int64_t i = 0; i < n; ++i) z[i] = op(xv, y[i]);
        } else {
          for (int64_t i = 0; i < n; ++i) z[i] = op(x[i * st[0]], y[i * st[1]]);
        }
      });
}

template <class T, class R, class Op>
void unary_map(const Tensor& a, Tensor& out, Op op) {
  const T* x = a.as<T>();
  R* z = out.as<R>();
  int64_t n = a.numel();
  for (int64_t i = 0; i < n; ++i) z[i] = op(x[i]);
}

// Copies `in` broadcast to `out`'s shape (same element type).
void broadcast_copy(const Tensor& in, Tensor& out);

}  // namespace rnpu::cpu
