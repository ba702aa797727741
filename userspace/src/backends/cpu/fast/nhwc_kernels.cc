#include "nhwc_kernels.h"

#include <pthreadpool.h>

#include <algorithm>
#include <cstring>

namespace rnpu::cpu::fast {

namespace {

constexpr int64_t kTile = 32;

struct TransposeJob {
  const void* src;
  void* dst;
  size_t esize;
  int64_t rows, cols, row_tiles, col_tiles;
};

// One tile of one matrix; tiles keep both reads and writes in cache lines.
template <class T>
void transpose_tile(const TransposeJob& j, int64_t b, int64_t tr, int64_t tc) {
  const T* s = static_cast<const T*>(j.src) + b * j.rows * j.cols;
  T* d = static_cast<T*>(j.dst) + b * j.rows * j.cols;
  int64_t r0 = tr * kTile, r1 = std::min(j.rows, r0 + kTile);
  int64_t c0 = tc * kTile, c1 = std::min(j.cols, c0 + kTile);
  for (int64_t c = c0; c < c1; ++c)
    for (int64_t r = r0; r < r1; ++r) d[c * j.rows + r] = s[r * j.cols + c];
}

void tile_task(void* ctx, size_t i) {
  const auto& j = *static_cast<const TransposeJob*>(ctx);
  int64_t per = j.row_tiles * j.col_tiles;
  int64_t b = int64_t(i) / per, rem = int64_t(i) % per;
  int64_t tr = rem / j.col_tiles, tc = rem % j.col_tiles;
  switch (j.esize) {
    case 1:
      return transpose_tile<uint8_t>(j, b, tr, tc);
    case 2:
      return transpose_tile<uint16_t>(j, b, tr, tc);
    case 8:
      return transpose_tile<uint64_t>(j, b, tr, tc);
    default:
      return transpose_tile<uint32_t>(j, b, tr, tc);
  }
}

}  // namespace

void transpose_batched(const void* src, void* dst, size_t esize, int64_t batch, int64_t rows,
                       int64_t cols, pthreadpool* pool) {
  if (rows == 1 || cols == 1) {
    std::memcpy(dst, src, size_t(batch * rows * cols) * esize);
    return;
  }
  TransposeJob j{
      src, dst, esize, rows, cols, (rows + kTile - 1) / kTile, (cols + kTile - 1) / kTile};
  size_t tasks = size_t(batch * j.row_tiles * j.col_tiles);
  if (pool && tasks > 1) {
    pthreadpool_parallelize_1d(pool, tile_task, &j, tasks, 0);
  } else {
    for (size_t i = 0; i < tasks; ++i) tile_task(&j, i);
  }
}

void concat_last_axis(const std::vector<const float*>& in, const std::vector<int64_t>& widths,
                      int64_t outer, float* out) {
  int64_t total = 0;
  for (int64_t w : widths) total += w;
  int64_t col = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const float* s = in[i];
    int64_t w = widths[i];
    float* d = out + col;
    for (int64_t o = 0; o < outer; ++o) std::memcpy(d + o * total, s + o * w, size_t(w) * 4);
    col += w;
  }
}

void gather_nhwc(const float* in, float* out, int64_t n, int64_t ih, int64_t iw, int64_t c,
                 const std::vector<int64_t>& ys, const std::vector<int64_t>& xs) {
  int64_t oh = int64_t(ys.size()), ow = int64_t(xs.size());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < oh; ++y) {
      const float* row = in + (b * ih + ys[size_t(y)]) * iw * c;
      float* o = out + (b * oh + y) * ow * c;
      for (int64_t x = 0; x < ow; ++x)
        std::memcpy(o + x * c, row + xs[size_t(x)] * c, size_t(c) * sizeof(float));
    }
}

void channel_affine(const float* x, float* y, int64_t pixels, int64_t c, const float* scale,
                    const float* shift) {
  for (int64_t p = 0; p < pixels; ++p) {
    const float* xp = x + p * c;
    float* yp = y + p * c;
    for (int64_t k = 0; k < c; ++k) yp[k] = xp[k] * scale[k] + shift[k];
  }
}

}  // namespace rnpu::cpu::fast
