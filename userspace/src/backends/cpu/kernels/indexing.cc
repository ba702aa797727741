// Index-driven operators: Gather*, Scatter*, OneHot, Compress, NonZero,
// Where, Trilu, CumSum, TopK.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "broadcast.h"
#include "elementwise.h"

namespace rnpu::cpu {
namespace {

int64_t fix_index(int64_t i, int64_t dim, const char* what) {
  if (i < 0) i += dim;
  if (i < 0 || i >= dim)
    fail(std::string(what) + " index out of range for dimension " + std::to_string(dim));
  return i;
}

void k_gather(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& idx = c.in(1);
  int64_t rank = int64_t(x.rank());
  int64_t axis = norm_axis(c.attrs().get_int("axis", 0), rank);
  Shape s(x.shape.begin(), x.shape.begin() + axis);
  s.insert(s.end(), idx.shape.begin(), idx.shape.end());
  s.insert(s.end(), x.shape.begin() + axis + 1, x.shape.end());
  int64_t outer = 1, inner = 1, dim = x.shape[size_t(axis)];
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= x.shape[size_t(d)];
  std::vector<int64_t> ix = tensor_to_ints(idx);
  for (int64_t& i : ix) i = fix_index(i, dim, "Gather");
  Tensor& o = c.out(0, x.dtype, s);
  size_t row = size_t(inner) * dtype_size(x.dtype);
  auto* dst = static_cast<uint8_t*>(o.data);
  const auto* src = static_cast<const uint8_t*>(x.data);
  for (int64_t a = 0; a < outer; ++a)
    for (size_t k = 0; k < ix.size(); ++k) {
      std::memcpy(dst, src + (size_t(a * dim + ix[k])) * row, row);
      dst += row;
    }
}

// Walks every element of `idx_shape`, giving its linear position and the
// linear position in a tensor of `data_shape` with the `axis` coordinate
// replaced by the index value.  Outside the axis the index coordinates are
// data coordinates, so those dims may not exceed the data's.
template <class F>
void for_each_axis_index(const char* op, const Shape& idx_shape, const Shape& data_shape,
                         int64_t axis, const std::vector<int64_t>& ix, F f) {
  for (size_t k = 0; k < idx_shape.size(); ++k)
    if (int64_t(k) != axis && idx_shape[k] > data_shape[k])
      fail(std::string(op) + " indices " + shape_str(idx_shape) + " exceed data " +
           shape_str(data_shape) + " outside axis " + std::to_string(axis));
  std::vector<int64_t> dst = shape_strides(data_shape);
  size_t r = idx_shape.size();
  std::vector<int64_t> pos(r, 0);
  int64_t n = shape_numel(idx_shape);
  for (int64_t i = 0; i < n; ++i) {
    int64_t off = 0;
    for (size_t k = 0; k < r; ++k)
      off += (int64_t(k) == axis ? fix_index(ix[size_t(i)], data_shape[k], "element") : pos[k]) *
             dst[k];
    f(i, off);
    for (size_t k = r; k-- > 0;) {
      if (++pos[k] < idx_shape[k]) break;
      pos[k] = 0;
    }
  }
}

void k_gather_elements(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& idx = c.in(1);
  int64_t axis = norm_axis(c.attrs().get_int("axis", 0), int64_t(x.rank()));
  if (idx.rank() != x.rank()) fail("GatherElements indices rank differs from data rank");
  std::vector<int64_t> ix = tensor_to_ints(idx);
  Tensor& o = c.out(0, x.dtype, idx.shape);
  size_t es = dtype_size(x.dtype);
  for_each_axis_index("GatherElements", idx.shape, x.shape, axis, ix, [&](int64_t i, int64_t off) {
    std::memcpy(static_cast<uint8_t*>(o.data) + size_t(i) * es,
                static_cast<const uint8_t*>(x.data) + size_t(off) * es, es);
  });
}

enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

Reduction reduction_of(const KernelContext& c) {
  std::string r = c.attrs().get_string("reduction", "none");
  if (r == "none") return Reduction::kNone;
  if (r == "add") return Reduction::kAdd;
  if (r == "mul") return Reduction::kMul;
  if (r == "max") return Reduction::kMax;
  if (r == "min") return Reduction::kMin;
  fail("unknown reduction '" + r + "'");
}

// dst = reduce(dst, src) for one element of any numeric type.
void combine(DType dt, Reduction red, void* dst, const void* src) {
  if (red == Reduction::kNone) {
    std::memcpy(dst, src, dtype_size(dt));
    return;
  }
  bool ok = dispatch<kNumericTypes>(dt, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T& d = *static_cast<T*>(dst);
    T s = *static_cast<const T*>(src);
    switch (red) {
      case Reduction::kAdd:
        d = T(d + s);
        break;
      case Reduction::kMul:
        d = T(d * s);
        break;
      case Reduction::kMax:
        d = std::max(d, s);
        break;
      case Reduction::kMin:
        d = std::min(d, s);
        break;
      default:
        break;
    }
  });
  if (!ok) fail(std::string("scatter reduction on unsupported type ") + dtype_name(dt));
}

void k_scatter_elements(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& idx = c.in(1);
  const Tensor& upd = c.in(2);
  int64_t axis = norm_axis(c.attrs().get_int("axis", 0), int64_t(x.rank()));
  if (idx.shape != upd.shape) fail("Scatter indices and updates differ in shape");
  if (idx.rank() != x.rank()) fail("Scatter indices rank differs from data rank");
  Reduction red = reduction_of(c);
  std::vector<int64_t> ix = tensor_to_ints(idx);
  Tensor& o = c.out(0, x.dtype, x.shape);
  std::memcpy(o.data, x.data, x.nbytes());
  size_t es = dtype_size(x.dtype);
  for_each_axis_index("Scatter", idx.shape, x.shape, axis, ix, [&](int64_t i, int64_t off) {
    combine(x.dtype, red, static_cast<uint8_t*>(o.data) + size_t(off) * es,
            static_cast<const uint8_t*>(upd.data) + size_t(i) * es);
  });
}

void k_gather_nd(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& idx = c.in(1);
  int64_t b = c.attrs().get_int("batch_dims", 0);
  int64_t r = int64_t(x.rank()), q = int64_t(idx.rank());
  if (q < 1) fail("GatherND indices must have rank >= 1");
  if (b < 0 || b >= std::min(q, r))
    fail("GatherND batch_dims " + std::to_string(b) + " out of range for data rank " +
         std::to_string(r) + " and indices rank " + std::to_string(q));
  for (int64_t d = 0; d < b; ++d)
    if (idx.shape[size_t(d)] != x.shape[size_t(d)])
      fail("GatherND indices " + shape_str(idx.shape) + " and data " + shape_str(x.shape) +
           " differ in batch dimension " + std::to_string(d));
  int64_t k = idx.shape.back();
  if (k < 1 || k > r - b)
    fail("GatherND index tuple length " + std::to_string(k) +
         " is not in [1, data rank - batch_dims]");
  Shape s(idx.shape.begin(), idx.shape.end() - 1);
  for (int64_t d = b + k; d < r; ++d) s.push_back(x.shape[size_t(d)]);
  int64_t batch = 1;
  for (int64_t d = 0; d < b; ++d) batch *= x.shape[size_t(d)];
  int64_t slice = 1;
  for (int64_t d = b + k; d < r; ++d) slice *= x.shape[size_t(d)];
  int64_t per_batch_data = 1;
  for (int64_t d = b; d < r; ++d) per_batch_data *= x.shape[size_t(d)];
  int64_t tuples = shape_numel(Shape(idx.shape.begin(), idx.shape.end() - 1));
  int64_t per_batch_tuples = batch ? tuples / batch : 0;
  std::vector<int64_t> st = shape_strides(x.shape);
  std::vector<int64_t> ix = tensor_to_ints(idx);
  Tensor& o = c.out(0, x.dtype, s);
  size_t es = dtype_size(x.dtype), row = size_t(slice) * es;
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t bi = per_batch_tuples ? t / per_batch_tuples : 0;
    int64_t off = bi * per_batch_data;
    for (int64_t j = 0; j < k; ++j)
      off +=
          fix_index(ix[size_t(t * k + j)], x.shape[size_t(b + j)], "GatherND") * st[size_t(b + j)];
    std::memcpy(static_cast<uint8_t*>(o.data) + size_t(t) * row,
                static_cast<const uint8_t*>(x.data) + size_t(off) * es, row);
  }
}

void k_scatter_nd(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& idx = c.in(1);
  const Tensor& upd = c.in(2);
  Reduction red = reduction_of(c);
  int64_t r = int64_t(x.rank());
  if (idx.rank() < 1) fail("ScatterND indices must have rank >= 1");
  int64_t k = idx.shape.back();
  if (k > r) fail("ScatterND index tuple longer than data rank");
  int64_t slice = 1;
  for (int64_t d = k; d < r; ++d) slice *= x.shape[size_t(d)];
  int64_t tuples = shape_numel(Shape(idx.shape.begin(), idx.shape.end() - 1));
  if (upd.numel() != tuples * slice) fail("ScatterND updates shape does not match indices");
  std::vector<int64_t> st = shape_strides(x.shape);
  std::vector<int64_t> ix = tensor_to_ints(idx);
  Tensor& o = c.out(0, x.dtype, x.shape);
  std::memcpy(o.data, x.data, x.nbytes());
  size_t es = dtype_size(x.dtype);
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t off = 0;
    for (int64_t j = 0; j < k; ++j)
      off += fix_index(ix[size_t(t * k + j)], x.shape[size_t(j)], "ScatterND") * st[size_t(j)];
    for (int64_t e = 0; e < slice; ++e)
      combine(x.dtype, red, static_cast<uint8_t*>(o.data) + size_t(off + e) * es,
              static_cast<const uint8_t*>(upd.data) + size_t(t * slice + e) * es);
  }
}

void k_onehot(KernelContext& c) {
  const Tensor& idx = c.in(0);
  double depth_v = tensor_get_double(c.in(1), 0);
  if (!(depth_v >= 0 && depth_v <= double(int64_t(1) << 40)))
    fail("OneHot depth " + std::to_string(depth_v) + " out of range");
  int64_t depth = int64_t(depth_v);
  const Tensor& vals = c.in(2);
  if (vals.numel() != 2) fail("OneHot values must have two elements");
  int64_t r = int64_t(idx.rank());
  int64_t axis = c.attrs().get_int("axis", -1);
  if (axis < 0) axis += r + 1;
  if (axis < 0 || axis > r) fail("OneHot axis out of range");
  Shape s = idx.shape;
  s.insert(s.begin() + axis, depth);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= idx.shape[size_t(d)];
  for (int64_t d = axis; d < r; ++d) inner *= idx.shape[size_t(d)];
  std::vector<double> iv = tensor_to_doubles(idx);
  Tensor& o = c.out(0, vals.dtype, s);
  size_t es = dtype_size(vals.dtype);
  const auto* off_v = static_cast<const uint8_t*>(vals.data);
  const auto* on_v = off_v + es;
  auto* dst = static_cast<uint8_t*>(o.data);
  for (int64_t a = 0; a < outer; ++a)
    for (int64_t d = 0; d < depth; ++d)
      for (int64_t i = 0; i < inner; ++i) {
        double dv = iv[size_t(a * inner + i)];
        // Indices outside [-depth, depth) (or not numbers) select nothing.
        int64_t v = dv >= -double(depth) && dv < double(depth) ? int64_t(dv) : depth;
        if (v < 0) v += depth;
        std::memcpy(dst + size_t((a * depth + d) * inner + i) * es, v == d ? on_v : off_v, es);
      }
}

void k_compress(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& cond = c.in(1);
  std::vector<int64_t> cv = tensor_to_ints(cond);
  size_t es = dtype_size(x.dtype);
  if (!c.attrs().has("axis")) {
    std::vector<int64_t> keep;
    for (int64_t i = 0; i < std::min<int64_t>(x.numel(), int64_t(cv.size())); ++i)
      if (cv[size_t(i)]) keep.push_back(i);
    Tensor& o = c.out(0, x.dtype, {int64_t(keep.size())});
    for (size_t i = 0; i < keep.size(); ++i)
      std::memcpy(static_cast<uint8_t*>(o.data) + i * es,
                  static_cast<const uint8_t*>(x.data) + size_t(keep[i]) * es, es);
    return;
  }
  int64_t axis = norm_axis(c.attrs().get_int("axis", 0), int64_t(x.rank()));
  int64_t dim = x.shape[size_t(axis)];
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < std::min<int64_t>(dim, int64_t(cv.size())); ++i)
    if (cv[size_t(i)]) keep.push_back(i);
  Shape s = x.shape;
  s[size_t(axis)] = int64_t(keep.size());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < x.rank(); ++d) inner *= x.shape[d];
  Tensor& o = c.out(0, x.dtype, s);
  size_t row = size_t(inner) * es;
  auto* dst = static_cast<uint8_t*>(o.data);
  for (int64_t a = 0; a < outer; ++a)
    for (int64_t k : keep) {
      std::memcpy(dst, static_cast<const uint8_t*>(x.data) + size_t(a * dim + k) * row, row);
      dst += row;
    }
}

void k_nonzero(KernelContext& c) {
  const Tensor& x = c.in(0);
  std::vector<int64_t> nz;
  bool ok = dispatch<kAllTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t i = 0; i < x.numel(); ++i)
      if (x.as<T>()[i] != T(0)) nz.push_back(i);
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
  int64_t r = int64_t(x.rank()), n = int64_t(nz.size());
  Tensor& o = c.out(0, DType::kI64, {r, n});
  std::vector<int64_t> st = shape_strides(x.shape);
  for (int64_t j = 0; j < n; ++j) {
    int64_t rem = nz[size_t(j)];
    for (int64_t d = 0; d < r; ++d) {
      o.as<int64_t>()[d * n + j] = rem / st[size_t(d)];
      rem %= st[size_t(d)];
    }
  }
}

void k_where(KernelContext& c) {
  const Tensor& cond = c.in(0);
  const Tensor& x = c.in(1);
  const Tensor& y = c.in(2);
  if (x.dtype != y.dtype) fail("Where X and Y differ in element type");
  Shape s = broadcast_shapes({&cond.shape, &x.shape, &y.shape});
  Tensor& o = c.out(0, x.dtype, s);
  dispatch_bytes(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const bool* pc = cond.as<bool>();
    const T* px = x.as<T>();
    const T* py = y.as<T>();
    T* po = o.as<T>();
    broadcast_loop<3>(
        s, {&cond.shape, &x.shape, &y.shape},
        [&](int64_t out, std::array<int64_t, 3> off, std::array<int64_t, 3> st, int64_t n) {
          for (int64_t i = 0; i < n; ++i)
            po[out + i] = pc[off[0] + i * st[0]] ? px[off[1] + i * st[1]] : py[off[2] + i * st[2]];
        });
  });
}

void k_trilu(KernelContext& c) {
  const Tensor& x = c.in(0);
  if (x.rank() < 2) fail("Trilu needs rank >= 2");
  bool upper = c.attrs().get_int("upper", 1) != 0;
  int64_t k = c.opt(1) ? tensor_get_int(*c.opt(1), 0) : 0;
  int64_t h = x.dim(-2), w = x.dim(-1);
  Tensor& o = c.out(0, x.dtype, x.shape);
  size_t es = dtype_size(x.dtype);
  int64_t mats = h * w != 0 ? x.numel() / (h * w) : 0;
  for (int64_t m = 0; m < mats; ++m)
    for (int64_t i = 0; i < h; ++i)
      for (int64_t j = 0; j < w; ++j) {
        bool keep = upper ? (j - i >= k) : (j - i <= k);
        if (keep) {
          size_t off = size_t((m * h + i) * w + j) * es;
          std::memcpy(static_cast<uint8_t*>(o.data) + off,
                      static_cast<const uint8_t*>(x.data) + off, es);
        }
      }
}

void k_cumsum(KernelContext& c) {
  const Tensor& x = c.in(0);
  int64_t axis = norm_axis(tensor_get_int(c.in(1), 0), int64_t(x.rank()));
  bool exclusive = c.attrs().get_int("exclusive", 0) != 0;
  bool reverse = c.attrs().get_int("reverse", 0) != 0;
  int64_t outer = 1, n = x.shape[size_t(axis)], inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < x.rank(); ++d) inner *= x.shape[d];
  bool ok = dispatch<kNumericTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& o = c.out(0, x.dtype, x.shape);
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t i = 0; i < inner; ++i) {
        T acc = 0;
        for (int64_t t = 0; t < n; ++t) {
          int64_t j = reverse ? n - 1 - t : t;
          int64_t off = (a * n + j) * inner + i;
          T v = x.as<T>()[off];
          if (exclusive) {
            o.as<T>()[off] = acc;
            acc = T(acc + v);
          } else {
            acc = T(acc + v);
            o.as<T>()[off] = acc;
          }
        }
      }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

void k_topk(KernelContext& c) {
  const Tensor& x = c.in(0);
  int64_t k = c.attrs().has("k") ? c.attrs().get_int("k", 0) : tensor_get_int(c.in(1), 0);
  int64_t axis = norm_axis(c.attrs().get_int("axis", -1), int64_t(x.rank()));
  bool largest = c.attrs().get_int("largest", 1) != 0;
  int64_t outer = 1, n = x.shape[size_t(axis)], inner = 1;
  if (k < 0 || k > n) fail("TopK k=" + std::to_string(k) + " out of range");
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < x.rank(); ++d) inner *= x.shape[d];
  Shape s = x.shape;
  s[size_t(axis)] = k;
  bool ok = dispatch<kNumericTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& vo = c.out(0, x.dtype, s);
    Tensor* io = c.wants(1) ? &c.out(1, DType::kI64, s) : nullptr;
    std::vector<int64_t> ord(static_cast<size_t>(n));
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t i = 0; i < inner; ++i) {
        const T* p = x.as<T>() + a * n * inner + i;
        std::iota(ord.begin(), ord.end(), 0);
        // Ties keep the lower index first, as ONNX specifies.
        std::stable_sort(ord.begin(), ord.end(), [&](int64_t u, int64_t v) {
          return largest ? p[u * inner] > p[v * inner] : p[u * inner] < p[v * inner];
        });
        for (int64_t j = 0; j < k; ++j) {
          int64_t off = (a * k + j) * inner + i;
          vo.as<T>()[off] = p[ord[size_t(j)] * inner];
          if (io) io->as<int64_t>()[off] = ord[size_t(j)];
        }
      }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

}  // namespace

void register_indexing(KernelRegistry& r) {
  const unsigned any = kAllTypes | kHalfNative;
  const unsigned moves = any | kByteNative;
  r.add({"Gather", k_gather, moves});
  r.add({"GatherElements", k_gather_elements, moves});
  r.add({"GatherND", k_gather_nd, moves});
  r.add({"ScatterElements", k_scatter_elements, any});
  r.add({"Scatter", k_scatter_elements, any});
  r.add({"ScatterND", k_scatter_nd, any});
  r.add({"OneHot", k_onehot, kNumericTypes});
  r.add({"Compress", k_compress, moves});
  r.add({"NonZero", k_nonzero, kAllTypes});
  r.add({"Where", k_where, kBoolType});
  r.add({"Trilu", k_trilu, moves});
  r.add({"CumSum", k_cumsum, kNumericTypes});
  r.add({"TopK", k_topk, kNumericTypes});
}

}  // namespace rnpu::cpu
