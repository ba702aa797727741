// Matrix products: Gemm, MatMul (batched, broadcasting), MatMulInteger,
// QLinearMatMul and a general Einsum.
#include <algorithm>
#include <cstring>
#include <map>

#include "broadcast.h"
#include "elementwise.h"
#include "gemm.h"
#include "quant_util.h"

namespace rnpu::cpu {
namespace {

template <class T>
std::vector<T> transposed(const T* a, int64_t rows, int64_t cols) {
  std::vector<T> t(size_t(rows * cols));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) t[size_t(j * rows + i)] = a[i * cols + j];
  return t;
}

void k_gemm(KernelContext& c) {
  const Tensor& a = c.in(0);
  const Tensor& b = c.in(1);
  const Tensor* cc = c.opt(2);
  if (a.rank() != 2 || b.rank() != 2) fail("Gemm needs 2-D A and B");
  bool ta = c.attrs().get_int("transA", 0) != 0;
  bool tb = c.attrs().get_int("transB", 0) != 0;
  float alpha = c.attrs().get_float("alpha", 1.0f);
  float beta = c.attrs().get_float("beta", 1.0f);
  int64_t m = ta ? a.shape[1] : a.shape[0], k = ta ? a.shape[0] : a.shape[1];
  int64_t kb = tb ? b.shape[1] : b.shape[0], n = tb ? b.shape[0] : b.shape[1];
  if (k != kb)
    fail("Gemm inner dimensions differ: " + shape_str(a.shape) + " x " + shape_str(b.shape));
  bool ok = dispatch<kFloatTypes | kSignedTypes | kUnsignedTypes>(a.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    std::vector<T> at, bt;
    const T* pa = a.as<T>();
    const T* pb = b.as<T>();
    if (ta) pa = (at = transposed(pa, a.shape[0], a.shape[1])).data();
    if (tb) pb = (bt = transposed(pb, b.shape[0], b.shape[1])).data();
    Tensor& y = c.out(0, a.dtype, {m, n});
    gemm_nn<T>(m, n, k, pa, k, pb, n, y.as<T>(), n, false);
    T* py = y.as<T>();
    if (alpha != 1.0f)
      for (int64_t i = 0; i < m * n; ++i) py[i] = T(py[i] * T(alpha));
    if (cc && beta != 0.0f) {
      Tensor cb = Tensor::make(a.dtype, {m, n});
      broadcast_copy(*cc, cb);
      for (int64_t i = 0; i < m * n; ++i) py[i] = T(py[i] + T(beta) * cb.as<T>()[i]);
    }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(a.dtype));
}

// Batched matmul geometry with numpy broadcasting of the batch dimensions.
struct MatMulGeom {
  int64_t m, k, n;
  Shape out, batch;
  std::vector<int64_t> a_batch_off, b_batch_off;  // element offsets per batch
};

MatMulGeom matmul_geometry(const Shape& as, const Shape& bs) {
  if (as.empty() || bs.empty()) fail("MatMul inputs must have rank >= 1");
  Shape a = as, b = bs;
  bool a1 = a.size() == 1, b1 = b.size() == 1;
  if (a1) a.insert(a.begin(), 1);
  if (b1) b.push_back(1);
  MatMulGeom g;
  g.m = a[a.size() - 2];
  g.k = a.back();
  g.n = b.back();
  if (b[b.size() - 2] != g.k)
    fail("MatMul inner dimensions differ: " + shape_str(as) + " x " + shape_str(bs));
  Shape ab(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
  g.batch = broadcast_shapes(ab, bb);
  std::vector<int64_t> sa = broadcast_strides(ab, g.batch), sb = broadcast_strides(bb, g.batch);
  int64_t nb = shape_numel(g.batch);
  std::vector<int64_t> idx(g.batch.size(), 0);
  for (int64_t i = 0; i < nb; ++i) {
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < idx.size(); ++d) {
      oa += idx[d] * sa[d];
      ob += idx[d] * sb[d];
    }
    g.a_batch_off.push_back(oa * g.m * g.k);
    g.b_batch_off.push_back(ob * g.k * g.n);
    for (size_t d = idx.size(); d-- > 0;) {
      if (++idx[d] < g.batch[d]) break;
      idx[d] = 0;
    }
  }
  g.out = g.batch;
  if (!a1) g.out.push_back(g.m);
  if (!b1) g.out.push_back(g.n);
  return g;
}

template <class T>
void batched_matmul(const T* a, const T* b, T* y, const MatMulGeom& g) {
  for (size_t i = 0; i < g.a_batch_off.size(); ++i)
    gemm_nn<T>(g.m, g.n, g.k, a + g.a_batch_off[i], g.k, b + g.b_batch_off[i], g.n,
               y + int64_t(i) * g.m * g.n, g.n, false);
}

void k_matmul(KernelContext& c) {
  const Tensor& a = c.in(0);
  const Tensor& b = c.in(1);
  if (a.dtype != b.dtype) fail("MatMul inputs differ in element type");
  MatMulGeom g = matmul_geometry(a.shape, b.shape);
  bool ok = dispatch<kFloatTypes | kSignedTypes | kUnsignedTypes>(a.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, a.dtype, g.out);
    batched_matmul<T>(a.as<T>(), b.as<T>(), y.as<T>(), g);
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(a.dtype));
}

// B's zero point may be per column (last axis): remove it column by column.
std::vector<int32_t> widen_b(const Tensor& b, const Tensor* zp) {
  if (!zp || zp->numel() <= 1) return widen_minus_zp(b, zp, 1);
  std::vector<int32_t> r = widen_minus_zp(b, nullptr, 1);
  std::vector<int64_t> z = tensor_to_ints(*zp);
  int64_t n = b.shape.back();
  if (int64_t(z.size()) != n) fail("MatMulInteger b_zero_point length differs from N");
  for (size_t i = 0; i < r.size(); ++i) r[i] -= int32_t(z[i % size_t(n)]);
  return r;
}

std::vector<int32_t> int_matmul(const Tensor& a, const Tensor* azp, const Tensor& b,
                                const Tensor* bzp, MatMulGeom& g) {
  g = matmul_geometry(a.shape, b.shape);
  if (azp && azp->numel() > 1) fail("per-row a_zero_point is not supported");
  std::vector<int32_t> ai = widen_minus_zp(a, azp, 1);
  std::vector<int32_t> bi = widen_b(b, bzp);
  std::vector<int32_t> y(size_t(shape_numel(g.out)));
  batched_matmul<int32_t>(ai.data(), bi.data(), y.data(), g);
  return y;
}

void k_matmul_integer(KernelContext& c) {
  MatMulGeom g;
  std::vector<int32_t> y = int_matmul(c.in(0), c.opt(2), c.in(1), c.opt(3), g);
  Tensor& o = c.out(0, DType::kI32, g.out);
  std::copy(y.begin(), y.end(), o.as<int32_t>());
}

// Rounds v to the precision of the scales' type: ONNX computes the requantising
// multiplier a_scale * b_scale / y_scale in that type.
double in_scale_type(double v, DType t) {
  if (t == DType::kF16) return half_to_float(float_to_half(float(v)));
  if (t == DType::kBF16) return bf16_to_float(float_to_bf16(float(v)));
  if (t == DType::kF32) return float(v);
  return v;
}

void k_qlinear_matmul(KernelContext& c) {
  MatMulGeom g;
  std::vector<int32_t> acc = int_matmul(c.in(0), &c.in(2), c.in(3), &c.in(5), g);
  DType st = c.in(1).dtype;
  double as = tensor_get_double(c.in(1), 0);
  std::vector<double> bs = tensor_to_doubles(c.in(4));
  double ys = tensor_get_double(c.in(6), 0);
  const Tensor& yzp = c.in(7);
  if (yzp.dtype != DType::kI8 && yzp.dtype != DType::kU8)
    fail(std::string("QLinearMatMul output type ") + dtype_name(yzp.dtype) + " is not supported");
  if (bs.size() != 1 && int64_t(bs.size()) != g.n)
    fail("b_scale has " + std::to_string(bs.size()) + " values, expected 1 or " +
         std::to_string(g.n));
  Tensor& y = c.out(0, yzp.dtype, g.out);
  int32_t zp = int32_t(tensor_get_int(yzp, 0));
  for (size_t i = 0; i < acc.size(); ++i) {
    double s = bs.size() == 1 ? bs[0] : bs[i % size_t(g.n)];
    double m = in_scale_type(in_scale_type(as * s, st) / ys, st);
    // Saturating, as the operator's definition says (ONNX 1.17's reference
    // and test data wrapped around; fixed upstream in onnx/onnx#7868).
    store_quantized(y, int64_t(i), float(double(acc[i]) * m), zp);
  }
}

std::string check_qlinear_matmul(const NodeInfo& n) {
  for (size_t i : {size_t(0), size_t(3), size_t(7)}) {
    DType t = i < n.input_types.size() ? n.input_types[i] : DType::kUndefined;
    if (t != DType::kUndefined && t != DType::kI8 && t != DType::kU8)
      return std::string("QLinearMatMul on ") + dtype_name(t) + " is not supported";
  }
  return "";
}

// Einsum by direct summation over every index combination: simple and
// general (ellipsis, repeated indices, implicit output).
void k_einsum(KernelContext& c) {
  std::string eq;
  for (char ch : c.attrs().get_string("equation", ""))
    if (ch != ' ') eq += ch;
  std::string lhs = eq, rhs;
  bool explicit_out = false;
  if (auto p = eq.find("->"); p != std::string::npos) {
    lhs = eq.substr(0, p);
    rhs = eq.substr(p + 2);
    explicit_out = true;
  }
  std::vector<std::string> terms;
  for (size_t s = 0;;) {
    size_t e = lhs.find(',', s);
    terms.push_back(lhs.substr(s, e == std::string::npos ? std::string::npos : e - s));
    if (e == std::string::npos) break;
    s = e + 1;
  }
  if (terms.size() != c.num_inputs()) fail("Einsum equation term count differs from inputs");
  // Expand "..." into placeholder letters '0'..'9' (right-aligned).
  size_t ell_rank = 0;
  for (size_t i = 0; i < terms.size(); ++i)
    if (terms[i].find("...") != std::string::npos)
      ell_rank = std::max(ell_rank, c.in(i).rank() - (terms[i].size() - 3));
  std::string ell;
  for (size_t i = 0; i < ell_rank; ++i) ell += char('0' + i);
  auto expand = [&](std::string t, size_t rank) {
    auto p = t.find("...");
    if (p == std::string::npos) return t;
    size_t k = rank - (t.size() - 3);
    return t.substr(0, p) + ell.substr(ell_rank - k) + t.substr(p + 3);
  };
  std::map<char, int64_t> size;
  std::map<char, int> count;
  for (size_t i = 0; i < terms.size(); ++i) {
    terms[i] = expand(terms[i], c.in(i).rank());
    if (terms[i].size() != c.in(i).rank()) fail("Einsum term '" + terms[i] + "' rank mismatch");
    for (size_t d = 0; d < terms[i].size(); ++d) {
      char ch = terms[i][d];
      int64_t dim = c.in(i).shape[d];
      auto it = size.find(ch);
      if (it == size.end() || it->second == 1)
        size[ch] = dim;
      else if (dim != 1 && dim != it->second)
        fail(std::string("Einsum dimension mismatch for index ") + ch);
      ++count[ch];
    }
  }
  if (explicit_out) {
    rhs = expand(rhs, ell_rank + rhs.size() - (rhs.find("...") == std::string::npos ? 0 : 3));
  } else {
    rhs = ell;
    for (auto& [ch, n] : count)
      if (n == 1 && !(ch >= '0' && ch <= '9')) rhs += ch;
  }
  std::string all = rhs;
  for (auto& [ch, n] : size)
    if (rhs.find(ch) == std::string::npos) all += ch;
  Shape os;
  for (char ch : rhs) os.push_back(size.at(ch));
  // Per input, the stride of each letter in `all` (0 if absent or broadcast).
  std::vector<std::vector<int64_t>> st(terms.size(), std::vector<int64_t>(all.size(), 0));
  for (size_t i = 0; i < terms.size(); ++i) {
    std::vector<int64_t> s = shape_strides(c.in(i).shape);
    for (size_t d = 0; d < terms[i].size(); ++d)
      if (c.in(i).shape[d] != 1) st[i][all.find(terms[i][d])] += s[d];
  }
  Shape dims;
  for (char ch : all) dims.push_back(size.at(ch));
  int64_t total = shape_numel(dims),
          per_out = shape_numel(Shape(dims.begin() + long(rhs.size()), dims.end()));
  const Tensor& x0 = c.in(0);
  bool ok = dispatch<kNumericTypes>(x0.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, x0.dtype, os);
    std::vector<int64_t> idx(all.size(), 0);
    for (int64_t lin = 0; lin < total; ++lin) {
      T prod = T(1);
      for (size_t i = 0; i < terms.size(); ++i) {
        int64_t off = 0;
        for (size_t d = 0; d < all.size(); ++d) off += idx[d] * st[i][d];
        prod = T(prod * c.in(i).as<T>()[off]);
      }
      y.as<T>()[per_out ? lin / per_out : 0] += prod;
      for (size_t d = all.size(); d-- > 0;) {
        if (++idx[d] < dims[d]) break;
        idx[d] = 0;
      }
    }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x0.dtype));
}

}  // namespace

void register_matmul(KernelRegistry& r) {
  const unsigned t = kFloatTypes | kSignedTypes | kUnsignedTypes | kHalfTypes;
  r.add({"Gemm", k_gemm, t});
  r.add({"MatMul", k_matmul, t});
  r.add({"MatMulInteger", k_matmul_integer, kIntTypes});
  r.add({"QLinearMatMul", k_qlinear_matmul, kIntTypes, check_qlinear_matmul});
  r.add({"Einsum", k_einsum, kNumericTypes | kHalfTypes});
}

}  // namespace rnpu::cpu
