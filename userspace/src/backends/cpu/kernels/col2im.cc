// Col2Im (opset 18): scatter-adds the column blocks of an im2col matrix back
// into an N-d image.  Every size comes from input tensors, so each is checked
// before it sizes or indexes anything.
#include <string>

#include "kernel.h"

namespace rnpu::cpu {
namespace {

constexpr int64_t kMaxDim = int64_t(1) << 40;  // ir::kMaxElements

std::vector<int64_t> spatial_attr(const Attrs& a, const char* name, size_t n, int64_t def,
                                  int64_t lo) {
  std::vector<int64_t> v = a.get_ints(name, std::vector<int64_t>(n, def));
  if (v.size() != n)
    fail(std::string("Col2Im ") + name + " has " + std::to_string(v.size()) +
         " entries, expected " + std::to_string(n));
  for (int64_t x : v)
    if (x < lo || x > kMaxDim) fail(std::string("Col2Im ") + name + " value out of range");
  return v;
}

struct Geometry {
  Shape image, block, blocks;  // per spatial dim; blocks: sliding positions
  std::vector<int64_t> dil, pad_begin, stride;
  int64_t block_size = 1, num_blocks = 1;
};

Geometry geometry(const KernelContext& c, const Tensor& x) {
  const Tensor& image = c.in(1);
  const Tensor& block = c.in(2);
  if (x.rank() != 3)
    fail("Col2Im input must be [N, C*prod(block_shape), L], got " + shape_str(x.shape));
  if (image.rank() != 1 || block.rank() != 1 || image.numel() != block.numel() || image.numel() < 1)
    fail("Col2Im image_shape " + shape_str(image.shape) + " and block_shape " +
         shape_str(block.shape) + " must be 1-D of the same non-zero length");
  Geometry g;
  g.image = tensor_to_ints(image);
  g.block = tensor_to_ints(block);
  size_t n = g.image.size();
  if (n + 2 > 16) fail("Col2Im output would exceed the maximum rank 16");
  g.dil = spatial_attr(c.attrs(), "dilations", n, 1, 1);
  g.stride = spatial_attr(c.attrs(), "strides", n, 1, 1);
  std::vector<int64_t> pads = spatial_attr(c.attrs(), "pads", 2 * n, 0, 0);
  g.pad_begin.assign(pads.begin(), pads.begin() + int64_t(n));
  for (size_t i = 0; i < n; ++i) {
    if (g.image[i] < 1 || g.image[i] > kMaxDim) fail("Col2Im image_shape value out of range");
    if (g.block[i] < 1 || g.block[i] > kMaxDim) fail("Col2Im block_shape value out of range");
    // The sum of three terms of at most 2^40 cannot overflow; the product
    // can.
    int64_t extent = 0;
    if (__builtin_mul_overflow(g.block[i] - 1, g.dil[i], &extent) || extent >= kMaxDim)
      fail("Col2Im dilated block extent is too large");
    int64_t span = g.image[i] + pads[i] + pads[i + n] - (extent + 1);
    if (span < 0)
      fail("Col2Im block " + std::to_string(extent + 1) +
           " does not fit the padded image on axis " + std::to_string(i));
    g.blocks.push_back(span / g.stride[i] + 1);
    if (__builtin_mul_overflow(g.block_size, g.block[i], &g.block_size) ||
        __builtin_mul_overflow(g.num_blocks, g.blocks.back(), &g.num_blocks) ||
        g.block_size > kMaxDim || g.num_blocks > kMaxDim)
      fail("Col2Im block_shape or block count is too large");
  }
  if (x.shape[1] % g.block_size != 0)
    fail("Col2Im input dimension 1 (" + std::to_string(x.shape[1]) +
         ") is not a multiple of prod(block_shape) = " + std::to_string(g.block_size));
  if (x.shape[2] != g.num_blocks)
    fail("Col2Im input has " + std::to_string(x.shape[2]) + " columns, the image and block give " +
         std::to_string(g.num_blocks) + " sliding blocks");
  return g;
}

// Advances a row-major multi-index over `dims`.
void next_index(std::vector<int64_t>& idx, const Shape& dims) {
  for (size_t d = dims.size(); d-- > 0;) {
    if (++idx[d] < dims[d]) return;
    idx[d] = 0;
  }
}

template <class T>
void scatter(const Geometry& g, int64_t planes, const T* col, T* img) {
  size_t n = g.image.size();
  std::vector<int64_t> img_strides = shape_strides(g.image);
  int64_t img_size = shape_numel(g.image);
  std::vector<int64_t> k(n, 0);
  for (int64_t kp = 0; kp < g.block_size; ++kp, next_index(k, g.block)) {
    std::vector<int64_t> b(n, 0);
    for (int64_t bp = 0; bp < g.num_blocks; ++bp, next_index(b, g.blocks)) {
      int64_t off = 0;
      bool inside = true;
      for (size_t d = 0; d < n && inside; ++d) {
        int64_t at = b[d] * g.stride[d] - g.pad_begin[d] + k[d] * g.dil[d];
        inside = at >= 0 && at < g.image[d];
        off += at * img_strides[d];
      }
      if (!inside) continue;
      for (int64_t p = 0; p < planes; ++p)
        img[p * img_size + off] += col[(p * g.block_size + kp) * g.num_blocks + bp];
    }
  }
}

void k_col2im(KernelContext& c) {
  const Tensor& x = c.in(0);
  Geometry g = geometry(c, x);
  int64_t channels = x.shape[1] / g.block_size;
  Shape out = {x.shape[0], channels};
  out.insert(out.end(), g.image.begin(), g.image.end());
  bool ok = dispatch<kNumericTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, x.dtype, out);
    if (x.numel() == 0) return;  // else the walk below is bounded by x's size
    // Batch and channel planes are independent: one pass over the block
    // positions serves all of them.
    scatter<T>(g, x.shape[0] * channels, x.as<T>(), y.as<T>());
  });
  if (!ok) fail(std::string("Col2Im does not support element type ") + dtype_name(x.dtype));
}

}  // namespace

void register_col2im(KernelRegistry& r) {
  r.add({"Col2Im", k_col2im, kNumericTypes | kHalfTypes});
}

}  // namespace rnpu::cpu
