// Pure data-movement layout operators: Transpose, DepthToSpace, SpaceToDepth.
#include "broadcast.h"
#include "strided.h"

namespace rnpu::cpu {
namespace {

void k_transpose(KernelContext& c) {
  const Tensor& x = c.in(0);
  int64_t rank = int64_t(x.rank());
  std::vector<int64_t> perm = c.attrs().get_ints("perm");
  if (perm.empty())
    for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
  if (int64_t(perm.size()) != rank) fail("Transpose perm length differs from input rank");
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  Shape s;
  for (int64_t& p : perm) {
    p = norm_axis(p, rank);
    if (seen[size_t(p)]) fail("Transpose perm is not a permutation");
    seen[size_t(p)] = true;
    s.push_back(x.shape[size_t(p)]);
  }
  Tensor& o = c.out(0, x.dtype, s);
  transpose(x, perm, o);
}

// Both ops are a reshape to 6-D, a transpose and a reshape back.
void reshaped_transpose(KernelContext& c, const Tensor& x, const Shape& six,
                        const std::vector<int64_t>& perm, const Shape& out_shape) {
  Tensor v = Tensor::view(x.dtype, six, x.data);
  Shape ts;
  for (int64_t p : perm) ts.push_back(six[size_t(p)]);
  Tensor& o = c.out(0, x.dtype, out_shape);
  Tensor ov = Tensor::view(x.dtype, ts, o.data);
  transpose(v, perm, ov);
}

void k_depth_to_space(KernelContext& c) {
  const Tensor& x = c.in(0);
  if (x.rank() != 4) fail("DepthToSpace needs a 4-D input");
  int64_t b = c.attrs().get_int("blocksize", 0);
  std::string mode = c.attrs().get_string("mode", "DCR");
  int64_t n = x.shape[0], ch = x.shape[1], h = x.shape[2], w = x.shape[3];
  if (b <= 0 || ch % (b * b)) fail("DepthToSpace: channels not divisible by blocksize^2");
  int64_t oc = ch / (b * b);
  Shape out{n, oc, h * b, w * b};
  if (mode == "DCR")
    reshaped_transpose(c, x, {n, b, b, oc, h, w}, {0, 3, 4, 1, 5, 2}, out);
  else if (mode == "CRD")
    reshaped_transpose(c, x, {n, oc, b, b, h, w}, {0, 1, 4, 2, 5, 3}, out);
  else
    fail("DepthToSpace mode must be DCR or CRD");
}

void k_space_to_depth(KernelContext& c) {
  const Tensor& x = c.in(0);
  if (x.rank() != 4) fail("SpaceToDepth needs a 4-D input");
  int64_t b = c.attrs().get_int("blocksize", 0);
  int64_t n = x.shape[0], ch = x.shape[1], h = x.shape[2], w = x.shape[3];
  if (b <= 0 || h % b || w % b) fail("SpaceToDepth: spatial size not divisible by blocksize");
  reshaped_transpose(c, x, {n, ch, h / b, b, w / b, b}, {0, 3, 5, 1, 2, 4},
                     {n, ch * b * b, h / b, w / b});
}

}  // namespace

void register_layout(KernelRegistry& r) {
  r.add({"Transpose", k_transpose, kAllTypes | kHalfNative | kByteNative});
  r.add({"DepthToSpace", k_depth_to_space, kAllTypes | kHalfNative | kByteNative});
  r.add({"SpaceToDepth", k_space_to_depth, kAllTypes | kHalfNative | kByteNative});
}

}  // namespace rnpu::cpu
