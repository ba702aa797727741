// Operators that fit no other family: ReverseSequence.
#include <cstring>

#include "kernel.h"

namespace rnpu::cpu {
namespace {

void k_reverse_sequence(KernelContext& c) {
  const Tensor& x = c.in(0);
  std::vector<int64_t> lens = tensor_to_ints(c.in(1));
  int64_t batch_axis = c.attrs().get_int("batch_axis", 1);
  int64_t time_axis = c.attrs().get_int("time_axis", 0);
  if (x.rank() < 2 || batch_axis == time_axis || batch_axis < 0 || batch_axis > 1 ||
      time_axis < 0 || time_axis > 1)
    fail("ReverseSequence needs batch_axis and time_axis to be 0 and 1");
  int64_t nb = x.shape[size_t(batch_axis)], nt = x.shape[size_t(time_axis)];
  if (int64_t(lens.size()) != nb) fail("ReverseSequence sequence_lens length differs from batch");
  std::vector<int64_t> st = shape_strides(x.shape);
  size_t row = size_t(st[1]) * dtype_size(x.dtype);
  Tensor& y = c.out(0, x.dtype, x.shape);
  for (int64_t b = 0; b < nb; ++b)
    for (int64_t t = 0; t < nt; ++t) {
      int64_t len = std::min(lens[size_t(b)], nt);
      int64_t src_t = t < len ? len - 1 - t : t;
      int64_t dst_off = batch_axis == 0 ? b * st[0] + t * st[1] : t * st[0] + b * st[1];
      int64_t src_off = batch_axis == 0 ? b * st[0] + src_t * st[1] : src_t * st[0] + b * st[1];
      std::memcpy(static_cast<uint8_t*>(y.data) + size_t(dst_off) * dtype_size(x.dtype),
                  static_cast<const uint8_t*>(x.data) + size_t(src_off) * dtype_size(x.dtype), row);
    }
}

}  // namespace

void register_misc(KernelRegistry& r) {
  r.add({"ReverseSequence", k_reverse_sequence, kAllTypes | kHalfNative});
}

}  // namespace rnpu::cpu
