// Numpy-style multidirectional broadcasting and the strided loop the
// elementwise kernels run on.  Adjacent dimensions that every operand walks
// contiguously are merged first, so the common cases (same shape, scalar,
// per-channel) become one long inner loop with stride 0 or 1.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "kernel.h"
#include "tensor.h"

namespace rnpu::cpu {

// Normalises a possibly negative axis for a tensor of `rank`; throws if out
// of range.
int64_t norm_axis(int64_t axis, int64_t rank);

// The broadcast of several shapes; throws naming both shapes on mismatch.
Shape broadcast_shapes(const std::vector<const Shape*>& shapes);
inline Shape broadcast_shapes(const Shape& a, const Shape& b) {
  return broadcast_shapes(std::vector<const Shape*>{&a, &b});
}

// Element strides of `in` walked along `out` (0 on broadcast dimensions).
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);

// Calls inner(out_offset, in_offsets, in_inner_strides, count) once per
// innermost run of the (collapsed) output, in row-major order.
template <size_t N, class F>
void broadcast_loop(const Shape& out_shape, const std::array<const Shape*, N>& in_shapes,
                    F&& inner) {
  // Collapse dimensions.
  std::array<std::vector<int64_t>, N> st;
  for (size_t k = 0; k < N; ++k) st[k] = broadcast_strides(*in_shapes[k], out_shape);
  std::vector<int64_t> dims;
  std::array<std::vector<int64_t>, N> cst;
  for (size_t i = 0; i < out_shape.size(); ++i) {
    int64_t d = out_shape[i];
    if (d == 1) continue;
    bool merge = !dims.empty();
    for (size_t k = 0; k < N && merge; ++k) merge = cst[k].back() == st[k][i] * d;
    if (merge) {
      dims.back() *= d;
      for (size_t k = 0; k < N; ++k) cst[k].back() = st[k][i];
    } else {
      dims.push_back(d);
      for (size_t k = 0; k < N; ++k) cst[k].push_back(st[k][i]);
    }
  }
  int64_t total = shape_numel(out_shape);
  if (total == 0) return;
  if (dims.empty()) {
    dims.push_back(1);
    for (size_t k = 0; k < N; ++k) cst[k].push_back(0);
  }
  size_t r = dims.size();
  int64_t inner_n = dims[r - 1];
  std::array<int64_t, N> inner_st;
  for (size_t k = 0; k < N; ++k) inner_st[k] = cst[k][r - 1];
  std::vector<int64_t> idx(r, 0);
  std::array<int64_t, N> off{};
  for (int64_t o = 0; o < total; o += inner_n) {
    inner(o, off, inner_st, inner_n);
    // Advance the outer index (dims 0..r-2), updating offsets incrementally.
    for (size_t d = r - 1; d-- > 0;) {
      if (++idx[d] < dims[d]) {
        for (size_t k = 0; k < N; ++k) off[k] += cst[k][d];
        break;
      }
      for (size_t k = 0; k < N; ++k) off[k] -= cst[k][d] * (dims[d] - 1);
      idx[d] = 0;
    }
  }
}

}  // namespace rnpu::cpu
