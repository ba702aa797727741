// Copies between tensors whose elements are addressed through arbitrary
// strides: the building block of Transpose, Slice, DepthToSpace and friends.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor.h"

namespace rnpu::cpu {

// dst (contiguous, row-major `shape`) [i] = src[sum(idx_k * src_strides[k])],
// strides in elements of `esize` bytes; src may be offset by `src_offset`
// elements and strides may be negative.
void strided_copy(const void* src, int64_t src_offset, void* dst, size_t esize, const Shape& shape,
                  const std::vector<int64_t>& src_strides);

// Transposes x by `perm` (output dim i is input dim perm[i]) into out.
void transpose(const Tensor& x, const std::vector<int64_t>& perm, Tensor& out);

}  // namespace rnpu::cpu
