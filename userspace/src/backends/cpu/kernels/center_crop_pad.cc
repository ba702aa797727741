// CenterCropPad (opset 18): each chosen axis is centre-cropped or
// zero-padded to its target length.  When the difference is odd the extra
// element is taken from (or added at) the end.
#include <cstring>
#include <string>

#include "kernel.h"

namespace rnpu::cpu {
namespace {

constexpr int64_t kMaxDim = int64_t(1) << 40;  // ir::kMaxElements

void k_center_crop_pad(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& shape = c.in(1);
  int64_t rank = int64_t(x.rank());
  if (shape.rank() != 1) fail("CenterCropPad shape must be 1-D, got " + shape_str(shape.shape));
  std::vector<int64_t> target = tensor_to_ints(shape);
  std::vector<int64_t> axes;
  if (c.attrs().has("axes")) {
    axes = c.attrs().get_ints("axes");
  } else {
    for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
  }
  if (target.size() != axes.size())
    fail("CenterCropPad shape has " + std::to_string(target.size()) + " entries for " +
         std::to_string(axes.size()) + " axes");
  Shape out = x.shape;
  // offset[d]: the input index of output index 0 along d (negative when padded).
  std::vector<int64_t> offset(size_t(rank), 0);
  std::vector<bool> seen(size_t(rank), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = axes[i];
    if (a < -rank || a >= rank)
      fail("CenterCropPad axis " + std::to_string(a) + " is out of range for rank " +
           std::to_string(rank));
    if (a < 0) a += rank;
    if (seen[size_t(a)]) fail("CenterCropPad axis " + std::to_string(axes[i]) + " is repeated");
    seen[size_t(a)] = true;
    int64_t want = target[i], have = x.shape[size_t(a)];
    if (want < 0 || want > kMaxDim)
      fail("CenterCropPad target length " + std::to_string(want) + " is out of range");
    out[size_t(a)] = want;
    offset[size_t(a)] = have >= want ? (have - want) / 2 : -((want - have) / 2);
  }
  size_t es = dtype_size(x.dtype);
  if (!es) fail(std::string("CenterCropPad does not support element type ") + dtype_name(x.dtype));
  Tensor& y = c.out(0, x.dtype, out);
  if (y.numel() == 0 || x.numel() == 0) return;
  if (rank == 0) {
    std::memcpy(y.data, x.data, es);
    return;
  }
  // Copy row by row along the last axis; rows mapping outside the input stay zero.
  std::vector<int64_t> xs = shape_strides(x.shape);
  int64_t last = rank - 1, len = out[size_t(last)];
  int64_t lo = std::max<int64_t>(0, -offset[size_t(last)]);
  int64_t hi = std::min(len, x.shape[size_t(last)] - offset[size_t(last)]);
  int64_t rows = y.numel() / len;
  std::vector<int64_t> idx(size_t(last), 0);
  auto* dst = static_cast<uint8_t*>(y.data);
  const auto* src = static_cast<const uint8_t*>(x.data);
  for (int64_t r = 0; r < rows; ++r) {
    int64_t off = 0;
    bool inside = hi > lo;
    for (int64_t d = 0; d < last && inside; ++d) {
      int64_t at = idx[size_t(d)] + offset[size_t(d)];
      inside = at >= 0 && at < x.shape[size_t(d)];
      off += at * xs[size_t(d)];
    }
    if (inside)
      std::memcpy(dst + size_t(r * len + lo) * es,
                  src + size_t(off + lo + offset[size_t(last)]) * es, size_t(hi - lo) * es);
    for (int64_t d = last; d-- > 0;) {
      if (++idx[size_t(d)] < out[size_t(d)]) break;
      idx[size_t(d)] = 0;
    }
  }
}

}  // namespace

void register_center_crop_pad(KernelRegistry& r) {
  r.add({"CenterCropPad", k_center_crop_pad, kAllTypes | kHalfNative});
}

}  // namespace rnpu::cpu
