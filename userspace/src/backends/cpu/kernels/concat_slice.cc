// Operators that cut, join or extend tensors: Concat, Split, Slice, Pad, Tile.
#include <algorithm>
#include <cstring>
#include <limits>

#include "broadcast.h"
#include "strided.h"

namespace rnpu::cpu {
namespace {

void k_concat(KernelContext& c) {
  size_t n = c.num_inputs();
  if (n == 0) fail("Concat needs at least one input");
  const Tensor& first = c.in(0);
  int64_t rank = int64_t(first.rank());
  int64_t axis = norm_axis(c.attrs().get_int("axis", 0), rank);
  Shape s = first.shape;
  s[size_t(axis)] = 0;
  for (size_t i = 0; i < n; ++i) {
    const Tensor& t = c.in(i);
    if (t.dtype != first.dtype) fail("Concat inputs differ in element type");
    if (int64_t(t.rank()) != rank) fail("Concat inputs differ in rank");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && t.shape[size_t(d)] != first.shape[size_t(d)])
        fail("Concat input " + std::to_string(i) + " shape " + shape_str(t.shape) +
             " does not match " + shape_str(first.shape) + " outside axis " + std::to_string(axis));
    s[size_t(axis)] += t.shape[size_t(axis)];
  }
  Tensor& o = c.out(0, first.dtype, s);
  size_t es = dtype_size(first.dtype);
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= s[size_t(d)];
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < rank; ++d) inner *= s[size_t(d)];
  size_t out_row = size_t(s[size_t(axis)] * inner) * es;
  size_t col = 0;
  for (size_t i = 0; i < n; ++i) {
    const Tensor& t = c.in(i);
    size_t row = size_t(t.shape[size_t(axis)] * inner) * es;
    for (int64_t o2 = 0; o2 < outer; ++o2)
      std::memcpy(static_cast<uint8_t*>(o.data) + size_t(o2) * out_row + col,
                  static_cast<const uint8_t*>(t.data) + size_t(o2) * row, row);
    col += row;
  }
}

void k_split(KernelContext& c) {
  const Tensor& x = c.in(0);
  int64_t rank = int64_t(x.rank());
  int64_t axis = norm_axis(c.attrs().get_int("axis", 0), rank);
  int64_t dim = x.shape[size_t(axis)];
  size_t nout = c.num_outputs();
  std::vector<int64_t> parts;
  if (c.attrs().has("split"))
    parts = c.attrs().get_ints("split");
  else if (const Tensor* sp = c.opt(1))
    parts = tensor_to_ints(*sp);
  if (parts.empty()) {
    int64_t k = c.attrs().get_int("num_outputs", int64_t(nout));
    if (k <= 0) fail("Split needs at least one output");
    int64_t chunk = (dim + k - 1) / k;
    for (int64_t i = 0; i < k; ++i)
      parts.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
  }
  if (parts.size() != nout)
    fail("Split into " + std::to_string(parts.size()) + " parts but node has " +
         std::to_string(nout) + " outputs");
  int64_t total = 0;
  for (int64_t p : parts)
    if (p < 0 || __builtin_add_overflow(total, p, &total))
      fail("Split size " + std::to_string(p) + " is invalid");
  if (total != dim) fail("Split sizes do not add up to dimension " + std::to_string(dim));
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= x.shape[size_t(d)];
  size_t es = dtype_size(x.dtype);
  size_t in_row = size_t(dim * inner) * es;
  size_t col = 0;
  for (size_t i = 0; i < nout; ++i) {
    Shape s = x.shape;
    s[size_t(axis)] = parts[i];
    Tensor& o = c.out(i, x.dtype, s);
    size_t row = size_t(parts[i] * inner) * es;
    for (int64_t o2 = 0; o2 < outer; ++o2)
      std::memcpy(static_cast<uint8_t*>(o.data) + size_t(o2) * row,
                  static_cast<const uint8_t*>(x.data) + size_t(o2) * in_row + col, row);
    col += row;
  }
}

void k_slice(KernelContext& c) {
  const Tensor& x = c.in(0);
  int64_t rank = int64_t(x.rank());
  std::vector<int64_t> starts, ends, axes, steps;
  if (c.attrs().has("starts")) {  // opset 1
    starts = c.attrs().get_ints("starts");
    ends = c.attrs().get_ints("ends");
    axes = c.attrs().get_ints("axes");
  } else {
    starts = tensor_to_ints(c.in(1));
    ends = tensor_to_ints(c.in(2));
    if (const Tensor* a = c.opt(3)) axes = tensor_to_ints(*a);
    if (const Tensor* s = c.opt(4)) steps = tensor_to_ints(*s);
  }
  if (ends.size() != starts.size()) fail("Slice starts and ends differ in length");
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size())
    fail("Slice axes/steps length differs from starts");
  Shape s = x.shape;
  std::vector<int64_t> in_st = shape_strides(x.shape);
  std::vector<int64_t> st = in_st;
  int64_t offset = 0;
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t a = norm_axis(axes[i], rank);
    if (seen[size_t(a)]) fail("Slice repeats an axis");
    seen[size_t(a)] = true;
    int64_t d = x.shape[size_t(a)];
    int64_t step = steps[i];
    if (step == 0) fail("Slice step must not be 0");
    int64_t b = starts[i], e = ends[i];
    if (b < 0) b += d;
    if (e < 0) e += d;
    if (step > 0) {
      b = std::clamp<int64_t>(b, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
    } else {
      b = std::clamp<int64_t>(b, 0, std::max<int64_t>(d - 1, 0));
      e = std::clamp<int64_t>(e, -1, d - 1);
    }
    // ceil(distance / |step|) without forming distance + |step|: steps
    // come from the caller and may be anywhere in int64.
    int64_t n =
        step > 0 ? (e > b ? (e - b - 1) / step + 1 : 0) : (b > e ? 1 - (b - e - 1) / step : 0);
    n = d == 0 ? 0 : n;
    s[size_t(a)] = n;
    if (n > 0) offset += b * in_st[size_t(a)];
    // One element needs no stride (and |step| may overflow one); more
    // imply |step| < d, so the product fits.
    st[size_t(a)] = n > 1 ? in_st[size_t(a)] * step : in_st[size_t(a)];
  }
  Tensor& o = c.out(0, x.dtype, s);
  strided_copy(x.data, offset, o.data, dtype_size(x.dtype), s, st);
}

// Builds output by mapping each output coordinate to an input coordinate
// per axis; -1 means "use the fill value".
void remap(const Tensor& x, const std::vector<std::vector<int64_t>>& maps, const void* fill,
           Tensor& out) {
  size_t es = dtype_size(x.dtype);
  std::vector<int64_t> st = shape_strides(x.shape);
  size_t r = out.shape.size();
  int64_t total = out.numel();
  if (total == 0) return;
  const auto* src = static_cast<const uint8_t*>(x.data);
  auto* dst = static_cast<uint8_t*>(out.data);
  if (r == 0) {
    std::memcpy(dst, src, es);
    return;
  }
  std::vector<int64_t> idx(r, 0);
  for (int64_t o = 0; o < total; ++o) {
    int64_t off = 0;
    bool pad = false;
    for (size_t k = 0; k < r; ++k) {
      int64_t m = maps[k][size_t(idx[k])];
      if (m < 0) {
        pad = true;
        break;
      }
      off += m * st[k];
    }
    std::memcpy(dst + size_t(o) * es, pad ? fill : src + size_t(off) * es, es);
    for (size_t k = r; k-- > 0;) {
      if (++idx[k] < out.shape[k]) break;
      idx[k] = 0;
    }
  }
}

void k_pad(KernelContext& c) {
  const Tensor& x = c.in(0);
  int64_t rank = int64_t(x.rank());
  std::string mode = c.attrs().get_string("mode", "constant");
  std::vector<int64_t> pads;
  std::vector<uint8_t> fill(8, 0);
  if (c.attrs().has("pads")) {  // opset 2
    pads = c.attrs().get_ints("pads");
    float v = c.attrs().get_float("value", 0.0f);
    if (x.dtype != DType::kF32) fail("Pad-2 value attribute needs float32 data");
    std::memcpy(fill.data(), &v, 4);
  } else {
    pads = tensor_to_ints(c.in(1));
    if (const Tensor* cv = c.opt(2); cv && cv->numel() > 0) {
      if (cv->dtype != x.dtype) fail("Pad constant_value type differs from data");
      std::memcpy(fill.data(), cv->data, dtype_size(x.dtype));
    }
  }
  std::vector<int64_t> axes;
  if (const Tensor* a = c.opt(3)) {
    for (int64_t v : tensor_to_ints(*a)) axes.push_back(norm_axis(v, rank));
  } else {
    for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
  }
  if (pads.size() != 2 * axes.size())
    fail("Pad pads has " + std::to_string(pads.size()) + " values for " +
         std::to_string(axes.size()) + " axes");
  std::vector<int64_t> begin(static_cast<size_t>(rank), 0), end(static_cast<size_t>(rank), 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    begin[size_t(axes[i])] = pads[i];
    end[size_t(axes[i])] = pads[i + axes.size()];
  }
  Shape s(static_cast<size_t>(rank));
  std::vector<std::vector<int64_t>> maps(static_cast<size_t>(rank));
  for (int64_t k = 0; k < rank; ++k) {
    int64_t d = x.shape[size_t(k)];
    s[size_t(k)] = d + begin[size_t(k)] + end[size_t(k)];
    if (s[size_t(k)] < 0) fail("Pad removes more than the whole dimension");
    auto& m = maps[size_t(k)];
    m.resize(size_t(s[size_t(k)]));
    for (int64_t i = 0; i < s[size_t(k)]; ++i) {
      int64_t j = i - begin[size_t(k)];
      if (j < 0 || j >= d) {
        if (mode == "constant") {
          j = -1;
        } else if (d == 0) {
          fail("Pad mode " + mode + " needs a non-empty dimension");
        } else if (mode == "edge") {
          j = std::clamp<int64_t>(j, 0, d - 1);
        } else if (mode == "reflect") {
          if (d == 1) {
            j = 0;
          } else {
            int64_t period = 2 * (d - 1);
            j = ((j % period) + period) % period;
            if (j >= d) j = period - j;
          }
        } else if (mode == "wrap") {
          j = ((j % d) + d) % d;
        } else {
          fail("Pad mode '" + mode + "' is not supported");
        }
      }
      m[size_t(i)] = j;
    }
  }
  Tensor& o = c.out(0, x.dtype, s);
  remap(x, maps, fill.data(), o);
}

void k_tile(KernelContext& c) {
  const Tensor& x = c.in(0);
  std::vector<int64_t> rep = tensor_to_ints(c.in(1));
  if (rep.size() != x.rank()) fail("Tile repeats length differs from input rank");
  Shape s(x.rank());
  std::vector<std::vector<int64_t>> maps(x.rank());
  for (size_t k = 0; k < x.rank(); ++k) {
    if (rep[k] < 0) fail("Tile repeats must be non-negative");
    s[k] = x.shape[k] * rep[k];
    for (int64_t i = 0; i < s[k]; ++i) maps[k].push_back(i % x.shape[k]);
  }
  Tensor& o = c.out(0, x.dtype, s);
  remap(x, maps, nullptr, o);
}

}  // namespace

void register_concat_slice(KernelRegistry& r) {
  // All of them only move elements.
  const unsigned any = kAllTypes | kHalfNative | kByteNative;
  r.add({"Concat", k_concat, any});
  r.add({"Split", k_split, any});
  r.add({"Slice", k_slice, any});
  r.add({"Pad", k_pad, any});
  r.add({"Tile", k_tile, any});
}

}  // namespace rnpu::cpu
