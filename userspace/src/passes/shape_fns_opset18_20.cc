// Shape functions for operators ONNX added in opsets 18 to 20: Col2Im,
// CenterCropPad, GroupNormalization, DeformConv and AffineGrid.  Sizes that
// come from tensors are often graph inputs; then only the rank is inferred
// and the kernel checks the values at run time.
#include "passes/infer_ctx.h"

namespace rnpu::passes {

namespace {

void check_dims(InferCtx& c, const std::vector<int64_t>& v, int64_t lo, const char* what) {
  for (int64_t x : v)
    c.check(x >= lo && x <= ir::kMaxElements, kBad,
            std::string(what) + " value " + std::to_string(x) + " is out of range");
}

void col2im(InferCtx& c) {
  const Shape& x = c.shape(0);
  const Shape& image_shape = c.shape(1);
  c.check(!x.has_rank || x.rank() == 3, kShape,
          "input must be [N, C*prod(block_shape), L], got " + x.str());
  auto image = c.known_ints(1);
  auto block = c.known_ints(2);
  size_t spatial = 0;
  if (image)
    spatial = image->size();
  else if (image_shape.has_rank && image_shape.rank() == 1 && image_shape.dims[0].known())
    spatial = size_t(image_shape.dims[0].value);
  else
    return c.out(0, c.dt(0), Shape::unknown_rank());
  c.check_rank(spatial + 2, "image_shape");
  std::vector<Dim> out(spatial + 2);
  if (x.has_rank) out[0] = x.dims[0];
  if (block) {
    check_dims(c, *block, 1, "block_shape");
    c.check(!image || block->size() == image->size(), kShape,
            "image_shape and block_shape differ in length");
    int64_t size = 1;
    for (int64_t b : *block) size = c.arith('*', size, b, "prod(block_shape)");
    if (x.has_rank && x.dims[1].known()) {
      c.check(x.dims[1].value % size == 0, kShape,
              "input dimension 1 of " + x.str() + " is not a multiple of prod(block_shape) " +
                  std::to_string(size));
      out[1] = dim(x.dims[1].value / size);
    }
  }
  if (image) {
    check_dims(c, *image, 1, "image_shape");
    for (size_t i = 0; i < spatial; ++i) out[i + 2] = dim((*image)[i]);
  }
  c.out(0, c.dt(0), ranked(out));
}

void center_crop_pad(InferCtx& c) {
  const Shape& x = c.shape(0);
  auto target = c.known_ints(1);
  if (!x.has_rank) return c.out(0, c.dt(0), x);
  int64_t r = int64_t(x.rank());
  std::vector<int64_t> axes = c.attrs().get_ints("axes");
  if (!c.attrs().has("axes"))
    for (int64_t i = 0; i < r; ++i) axes.push_back(i);
  std::vector<Dim> out = x.dims;
  std::vector<bool> seen(size_t(r), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = c.axis(axes[i], r);
    c.check(!seen[size_t(a)], kBad, "axis " + std::to_string(axes[i]) + " is repeated");
    seen[size_t(a)] = true;
    out[size_t(a)] = Dim{};
  }
  if (target) {
    c.check(target->size() == axes.size(), kShape,
            "shape has " + std::to_string(target->size()) + " entries for " +
                std::to_string(axes.size()) + " axes");
    check_dims(c, *target, 0, "shape");
    for (size_t i = 0; i < axes.size(); ++i) out[size_t(c.axis(axes[i], r))] = dim((*target)[i]);
  }
  c.out(0, c.dt(0), ranked(out));
}

void group_norm(InferCtx& c) {
  const Shape& x = c.shape(0);
  c.check(!x.has_rank || x.rank() >= 2, kShape, "input must be at least 2-D (N, C, ...)");
  int64_t groups = c.attrs().get_int("num_groups", 0);
  c.check(groups >= 1, kBad, "num_groups must be >= 1");
  if (x.has_rank && x.dims[1].known())
    c.check(x.dims[1].value % groups == 0, kShape,
            std::to_string(x.dims[1].value) + " channels do not split into " +
                std::to_string(groups) + " groups");
  c.out(0, c.dt(0), x);
}

// The convolution output size; DeformConv has no auto_pad.
void deform_conv(InferCtx& c) {
  const Shape& x = c.shape(0);
  const Shape& w = c.shape(1);
  if (!x.has_rank) return c.out(0, c.dt(0), x);
  c.check(x.rank() >= 3, kShape, "input must be at least 3-D (N, C, spatial...), got " + x.str());
  size_t sp = x.rank() - 2;
  c.check(!w.has_rank || w.rank() == x.rank(), kShape,
          "weight " + w.str() + " and input " + x.str() + " differ in rank");
  std::vector<int64_t> kernel = c.attrs().get_ints("kernel_shape");
  if (kernel.empty() && w.has_rank)
    for (size_t i = 0; i < sp; ++i) kernel.push_back(w.dims[i + 2].value);
  auto strides = c.attrs().get_ints("strides", std::vector<int64_t>(sp, 1));
  auto dil = c.attrs().get_ints("dilations", std::vector<int64_t>(sp, 1));
  auto pads = c.attrs().get_ints("pads", std::vector<int64_t>(2 * sp, 0));
  c.check(strides.size() == sp && dil.size() == sp && pads.size() == 2 * sp, kBad,
          "strides/dilations/pads do not match the spatial rank");
  c.check(kernel.empty() || kernel.size() == sp, kBad, "kernel_shape has the wrong length");
  check_dims(c, strides, 1, "strides");
  check_dims(c, dil, 1, "dilations");
  check_dims(c, pads, 0, "pads");
  std::vector<Dim> out{x.dims[0], w.has_rank ? w.dims[0] : Dim{}};
  for (size_t i = 0; i < sp; ++i) {
    const Dim& in = x.dims[i + 2];
    if (kernel.empty() || kernel[i] < 0 || !in.known()) {
      out.push_back(Dim{});
      continue;
    }
    check_dims(c, {kernel[i]}, 1, "kernel_shape");
    int64_t ext =
        c.arith('+', c.arith('*', kernel[i] - 1, dil[i], "dilated kernel"), 1, "dilated kernel");
    int64_t span = in.value + pads[i] + pads[i + sp] - ext;
    c.check(span >= 0, kShape,
            "kernel does not fit the padded input on spatial axis " + std::to_string(i));
    out.push_back(dim(span / strides[i] + 1));
  }
  c.out(0, c.dt(0), ranked(out));
}

// theta [N, 2, 3] with size (N, C, H, W) gives a grid [N, H, W, 2]; the
// 3-D form gives [N, D, H, W, 3].
void affine_grid(InferCtx& c) {
  const Shape& theta = c.shape(0);
  auto size = c.known_ints(1);
  const Shape& size_shape = c.shape(1);
  size_t n = 0;
  if (size)
    n = size->size();
  else if (size_shape.has_rank && size_shape.rank() == 1 && size_shape.dims[0].known())
    n = size_t(size_shape.dims[0].value);
  else
    return c.out(0, c.dt(0), Shape::unknown_rank());
  c.check(n == 4 || n == 5, kShape, "size must have 4 (2-D) or 5 (3-D) entries");
  std::vector<Dim> out(n);
  out[n - 1] = dim(int64_t(n) - 2);
  if (theta.has_rank) {
    c.check(theta.rank() == 3, kShape, "theta must be [N, 2, 3] or [N, 3, 4], got " + theta.str());
    out[0] = theta.dims[0];
  }
  if (size) {
    check_dims(c, *size, 0, "size");
    out[0] = dim((*size)[0]);
    for (size_t i = 2; i < n; ++i) out[i - 1] = dim((*size)[i]);
  }
  c.out(0, c.dt(0), ranked(out));
}

}  // namespace

void register_opset18_20_shape_fns(std::unordered_map<std::string, ShapeFn>& m) {
  m["Col2Im"] = col2im;
  m["CenterCropPad"] = center_crop_pad;
  m["GroupNormalization"] = group_norm;
  m["DeformConv"] = deform_conv;
  m["AffineGrid"] = affine_grid;
}

}  // namespace rnpu::passes
