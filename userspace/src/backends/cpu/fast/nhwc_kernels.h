// Small float kernels the fast path needs around XNNPACK: layout
// conversion, channel-last concat and nearest resize, per-channel affine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

struct pthreadpool;

namespace rnpu::cpu::fast {

// dst[b][j][i] = src[b][i][j] for `batch` row-major rows x cols matrices of
// `esize`-byte elements (NCHW -> NHWC is rows = C, cols = H*W; the reverse
// swaps them).
void transpose_batched(const void* src, void* dst, size_t esize, int64_t batch, int64_t rows,
                       int64_t cols, pthreadpool* pool);

// Concatenates along the last axis: each input i contributes widths[i]
// contiguous elements per outer index.
void concat_last_axis(const std::vector<const float*>& in, const std::vector<int64_t>& widths,
                      int64_t outer, float* out);

// out[n, y, x, :] = in[n, ys[y], xs[x], :] (nearest-neighbour gather).
void gather_nhwc(const float* in, float* out, int64_t n, int64_t ih, int64_t iw, int64_t c,
                 const std::vector<int64_t>& ys, const std::vector<int64_t>& xs);

// y[p, c] = x[p, c] * scale[c] + shift[c] over `pixels` rows of `c` channels.
void channel_affine(const float* x, float* y, int64_t pixels, int64_t c, const float* scale,
                    const float* shift);

}  // namespace rnpu::cpu::fast
