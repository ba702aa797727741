// GroupNormalization: statistics per instance over each group of channels
// (and all spatial positions).  Opset 18 gives scale and bias per group;
// opset 21 changed them to per channel, so the node's opset picks the layout.
#include <algorithm>
#include <cmath>
#include <string>

#include "kernel.h"

namespace rnpu::cpu {
namespace {

void k_group_norm(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& scale = c.in(1);
  const Tensor& bias = c.in(2);
  double eps = c.attrs().get_float("epsilon", 1e-5f);
  int64_t groups = c.attrs().get_int("num_groups", 0);
  if (x.rank() < 2) fail("GroupNormalization input must be (N, C, ...), got " + shape_str(x.shape));
  int64_t n = x.shape[0], ch = x.shape[1];
  if (groups < 1 || groups > std::max<int64_t>(ch, 1) || ch % groups != 0)
    fail("GroupNormalization num_groups " + std::to_string(groups) + " must divide the " +
         std::to_string(ch) + " channels");
  bool per_channel = c.opset() >= 21;
  int64_t want = per_channel ? ch : groups;
  if (scale.rank() != 1 || scale.numel() != want || bias.rank() != 1 || bias.numel() != want)
    fail("GroupNormalization-" + std::string(per_channel ? "21" : "18") +
         " needs scale and bias of " + "shape [" + std::to_string(want) + "] (one per " +
         (per_channel ? "channel" : "group") + "), got " + shape_str(scale.shape) + " and " +
         shape_str(bias.shape));
  if (scale.dtype != x.dtype || bias.dtype != x.dtype)
    fail("GroupNormalization scale and bias must have X's element type");
  int64_t per_group = ch / groups;
  int64_t spatial = ch ? x.numel() / std::max<int64_t>(n * ch, 1) : 0;
  int64_t len = per_group * spatial;  // elements of one (instance, group)
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, x.dtype, x.shape);
    if (y.numel() == 0) return;  // n * groups may then exceed any real size
    const T* px = x.as<T>();
    const T* ps = scale.as<T>();
    const T* pb = bias.as<T>();
    T* py = y.as<T>();
    for (int64_t ng = 0; ng < n * groups; ++ng) {
      const T* p = px + ng * len;
      double sum = 0;
      for (int64_t i = 0; i < len; ++i) sum += double(p[i]);
      double mean = len ? sum / double(len) : 0;
      double var = 0;
      for (int64_t i = 0; i < len; ++i) var += (double(p[i]) - mean) * (double(p[i]) - mean);
      double inv = 1.0 / std::sqrt((len ? var / double(len) : 0) + eps);
      int64_t g = ng % groups;
      for (int64_t k = 0; k < per_group; ++k) {
        int64_t at = per_channel ? g * per_group + k : g;
        double s = double(ps[at]), b = double(pb[at]);
        for (int64_t i = k * spatial; i < (k + 1) * spatial; ++i)
          py[ng * len + i] = T((double(p[i]) - mean) * inv * s + b);
      }
    }
  });
  if (!ok)
    fail(std::string("GroupNormalization does not support element type ") + dtype_name(x.dtype));
}

}  // namespace

void register_group_norm(KernelRegistry& r) {
  r.add({"GroupNormalization", k_group_norm, kFloatTypes | kHalfTypes});
}

}  // namespace rnpu::cpu
