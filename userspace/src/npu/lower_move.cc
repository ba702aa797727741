// Data movement through strided DMA: Transpose, Concat, Slice, Split, Pad,
// and Q/DQ conversions.  Every op is expressed as a copy over the output's
// index space (Codegen::copy), so any rank works.  Reshape-like ops are
// views (no command; the planner aliases buffers).
#include <algorithm>
#include <cstring>

#include "npu/codegen_int.h"

namespace rnpu::npu {

namespace {

int64_t norm_axis(int64_t a, size_t r) {
  return a < 0 ? a + int64_t(r) : a;
}

std::vector<int64_t> const_ints(Codegen& c, const ir::Node& n, size_t i) {
  if (!c.has_in(n, i)) return {};
  return c.val(n.inputs[i]).constant->to_ints();
}

void lower_transpose(Codegen& c, const ir::Node& n) {
  const Tensor& x = c.in(n, 0);
  const Tensor& y = c.out(n);
  size_t r = x.dims.size();
  std::vector<int64_t> perm = n.attrs.get_ints("perm", {});
  if (perm.empty())
    for (size_t k = 0; k < r; ++k) perm.push_back(int64_t(r - 1 - k));
  std::vector<int64_t> xs = dense_strides(x.dims), st(r);
  for (size_t k = 0; k < r; ++k) st[k] = xs[size_t(perm[k])];
  c.copy(x, y, y.dims, st, dense_strides(y.dims), 0, 0);
}

void lower_concat(Codegen& c, const ir::Node& n) {
  const Tensor& y = c.out(n);
  int64_t axis = norm_axis(n.attrs.get_int("axis", 0), y.dims.size());
  std::vector<int64_t> ys = dense_strides(y.dims);
  int64_t at = 0;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const Tensor& x = c.in(n, i);
    if (numel(x.dims) == 0) continue;
    std::vector<int64_t> xd = x.dims;
    while (xd.size() < y.dims.size()) xd.insert(xd.begin(), 1);
    c.copy(x, y, xd, dense_strides(xd), ys, 0, uint64_t(at * ys[size_t(axis)]));
    at += xd[size_t(axis)];
  }
}

// A strided window of x (start and step per dim) copied into dst.
void window(Codegen& c, const Tensor& x, const std::vector<int64_t>& start,
            const std::vector<int64_t>& step, const Tensor& dst) {
  std::vector<int64_t> xs = dense_strides(x.dims), st(x.dims.size());
  uint64_t off = 0;
  for (size_t k = 0; k < x.dims.size(); ++k) {
    st[k] = xs[k] * step[k];
    off += uint64_t(start[k] * xs[k]);
  }
  c.copy(x, dst, dst.dims, st, dense_strides(dst.dims), off, 0);
}

void lower_slice(Codegen& c, const ir::Node& n) {
  const Tensor& x = c.in(n, 0);
  size_t r = x.dims.size();
  std::vector<int64_t> starts, axes, steps;
  if (n.opset < 10) {
    starts = n.attrs.get_ints("starts");
    axes = n.attrs.get_ints("axes");
  } else {
    starts = const_ints(c, n, 1);
    axes = const_ints(c, n, 3);
    steps = const_ints(c, n, 4);
  }
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(int64_t(k));
  std::vector<int64_t> start(r, 0), step(r, 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    size_t a = size_t(norm_axis(axes[i], r));
    int64_t dim = x.dims[a], s = starts[i];
    if (s < 0) s += dim;
    start[a] = std::clamp<int64_t>(s, 0, dim);
    step[a] = steps.empty() ? 1 : steps[i];
  }
  window(c, x, start, step, c.out(n));
}

void lower_split(Codegen& c, const ir::Node& n) {
  const Tensor& x = c.in(n, 0);
  size_t r = x.dims.size();
  size_t axis = size_t(norm_axis(n.attrs.get_int("axis", 0), r));
  std::vector<int64_t> start(r, 0), step(r, 1);
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    if (n.outputs[i] == ir::kNoValue) continue;
    const Tensor& y = c.out(n, i);
    window(c, x, start, step, y);
    start[axis] += y.dims[axis];
  }
}

void lower_pad(Codegen& c, const ir::Node& n) {
  const Tensor& x = c.in(n, 0);
  const Tensor& y = c.out(n);
  size_t r = x.dims.size();
  std::vector<int64_t> pads = n.opset < 11 ? n.attrs.get_ints("pads") : const_ints(c, n, 1);
  double value = n.opset < 11     ? n.attrs.get_float("value", 0.f)
                 : c.has_in(n, 2) ? c.val(n.inputs[2]).constant->get_double(0)
                                  : 0.0;
  // Fill: one constant element broadcast over the output (all strides 0).
  Tensor v = c.pack({value}, {1}, RNPU_DT_FP16);
  c.copy(v, y, y.dims, std::vector<int64_t>(r, 0), dense_strides(y.dims), 0, 0);
  std::vector<int64_t> ys = dense_strides(y.dims);
  uint64_t off = 0;
  for (size_t k = 0; k < r; ++k) off += uint64_t(pads[k] * ys[k]);
  c.copy(x, y, x.dims, dense_strides(x.dims), ys, 0, off);
}

}  // namespace

bool is_view_op(const std::string& op) {
  return op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" ||
         op == "Identity" || op == "Dropout" || op == "Cast";
}

bool lower_move(Codegen& c, const ir::Node& n) {
  if (n.op == "QuantizeLinear" || n.op == "DequantizeLinear")  // DMA converts
    c.dma(c.desc_flat(c.in(n, 0)), c.desc_flat(c.out(n)));
  else if (n.op == "Transpose")
    lower_transpose(c, n);
  else if (n.op == "Concat")
    lower_concat(c, n);
  else if (n.op == "Slice")
    lower_slice(c, n);
  else if (n.op == "Split")
    lower_split(c, n);
  else if (n.op == "Pad")
    lower_pad(c, n);
  else
    return false;
  return true;
}

}  // namespace rnpu::npu
