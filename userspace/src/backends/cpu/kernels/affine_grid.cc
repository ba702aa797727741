// AffineGrid (opset 20): the sampling grid of an affine transform, as
// GridSample consumes it.  theta [N, 2, 3] and size (N, C, H, W) give
// [N, H, W, 2]; theta [N, 3, 4] and size (N, C, D, H, W) give [N, D, H, W, 3].
// Grid coordinates are ordered (x, y[, z]): the last spatial axis first.
#include <string>

#include "kernel.h"

namespace rnpu::cpu {
namespace {

// Normalised coordinate of pixel i of `len` in [-1, 1].
double base_coord(int64_t i, int64_t len, bool align) {
  if (align) return len > 1 ? -1.0 + 2.0 * double(i) / double(len - 1) : -1.0;
  return (2.0 * double(i) + 1.0) / double(len) - 1.0;
}

template <class T>
void affine_grid(const T* theta, int64_t n, const Shape& spatial, bool align, T* out) {
  size_t sd = spatial.size();  // 2 or 3
  int64_t points = shape_numel(spatial);
  std::vector<int64_t> idx(sd, 0);
  std::vector<double> homo(sd + 1, 1.0);  // (x, y[, z], 1)
  for (int64_t p = 0; p < points; ++p) {
    for (size_t d = 0; d < sd; ++d) homo[sd - 1 - d] = base_coord(idx[d], spatial[d], align);
    for (int64_t b = 0; b < n; ++b) {
      const T* th = theta + b * int64_t(sd * (sd + 1));
      T* o = out + (b * points + p) * int64_t(sd);
      for (size_t r = 0; r < sd; ++r) {
        double acc = 0;
        for (size_t k = 0; k <= sd; ++k) acc += double(th[r * (sd + 1) + k]) * homo[k];
        o[r] = T(acc);
      }
    }
    for (size_t d = sd; d-- > 0;) {
      if (++idx[d] < spatial[d]) break;
      idx[d] = 0;
    }
  }
}

void k_affine_grid(KernelContext& c) {
  const Tensor& theta = c.in(0);
  const Tensor& size = c.in(1);
  bool align = c.attrs().get_int("align_corners", 0) != 0;
  if (size.rank() != 1 || (size.numel() != 4 && size.numel() != 5))
    fail("AffineGrid size must be (N, C, H, W) or (N, C, D, H, W), got shape " +
         shape_str(size.shape));
  std::vector<int64_t> sz = tensor_to_ints(size);
  int64_t sd = int64_t(sz.size()) - 2;
  if (theta.rank() != 3 || theta.shape[1] != sd || theta.shape[2] != sd + 1)
    fail("AffineGrid theta " + shape_str(theta.shape) + " must be [N, " + std::to_string(sd) +
         ", " + std::to_string(sd + 1) + "] for a " + std::to_string(sd) + "-D size");
  if (theta.shape[0] != sz[0])
    fail("AffineGrid theta batch " + std::to_string(theta.shape[0]) + " differs from size N " +
         std::to_string(sz[0]));
  for (int64_t v : sz)
    if (v < 0) fail("AffineGrid size has a negative entry");
  Shape spatial(sz.begin() + 2, sz.end());
  Shape out = {sz[0]};
  out.insert(out.end(), spatial.begin(), spatial.end());
  out.push_back(sd);
  bool ok = dispatch<kFloatTypes>(theta.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, theta.dtype, out);  // bounds the size before the walk
    if (y.numel() == 0) return;              // N == 0 would still walk every point
    affine_grid<T>(theta.as<T>(), sz[0], spatial, align, y.as<T>());
  });
  if (!ok) fail(std::string("AffineGrid does not support element type ") + dtype_name(theta.dtype));
}

}  // namespace

void register_affine_grid(KernelRegistry& r) {
  r.add({"AffineGrid", k_affine_grid, kFloatTypes | kHalfTypes});
}

}  // namespace rnpu::cpu
