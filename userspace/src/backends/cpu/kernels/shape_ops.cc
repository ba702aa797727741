// Operators that only change or report shapes, or create constant tensors:
// Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout, Shape, Size,
// Expand, ConstantOfShape, Constant, Range, EyeLike.
#include <algorithm>
#include <cmath>

#include "broadcast.h"
#include "elementwise.h"

namespace rnpu::cpu {
namespace {

void copy_to(KernelContext& c, size_t i, const Tensor& x, const Shape& s) {
  Tensor& o = c.out(i, x.dtype, s);
  if (o.nbytes() != x.nbytes()) fail("internal: copy size mismatch");
  if (x.nbytes()) std::memcpy(o.data, x.data, x.nbytes());
}

void k_reshape(KernelContext& c) {
  const Tensor& x = c.in(0);
  std::vector<int64_t> req =
      c.attrs().has("shape") ? c.attrs().get_ints("shape") : tensor_to_ints(c.in(1));
  bool allowzero = c.attrs().get_int("allowzero", 0) != 0;
  Shape s(req.size());
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < req.size(); ++i) {
    int64_t d = req[i];
    if (d == 0 && !allowzero) {
      if (i >= x.rank()) fail("Reshape: 0 at index " + std::to_string(i) + " beyond input rank");
      d = x.shape[i];
    }
    if (d == -1) {
      if (infer >= 0) fail("Reshape: more than one -1 in " + shape_str(req));
      infer = int64_t(i);
      continue;
    }
    if (d < 0) fail("Reshape: invalid dimension in " + shape_str(req));
    s[i] = d;
    known *= d;
  }
  if (infer >= 0) {
    if (known == 0 || x.numel() % known != 0)
      fail("Reshape: cannot infer -1 reshaping " + shape_str(x.shape) + " to " + shape_str(req));
    s[size_t(infer)] = x.numel() / known;
  }
  if (shape_numel(s) != x.numel())
    fail("Reshape: " + shape_str(x.shape) + " cannot become " + shape_str(s));
  copy_to(c, 0, x, s);
}

void k_flatten(KernelContext& c) {
  const Tensor& x = c.in(0);
  int64_t rank = int64_t(x.rank());
  int64_t axis = c.attrs().get_int("axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) fail("Flatten: axis out of range");
  int64_t a = 1;
  for (int64_t i = 0; i < axis; ++i) a *= x.shape[size_t(i)];
  copy_to(c, 0, x, {a, a == 0 ? 0 : x.numel() / std::max<int64_t>(a, 1)});
}

std::vector<int64_t> axes_of(const KernelContext& c) {
  if (c.attrs().has("axes")) return c.attrs().get_ints("axes");
  if (const Tensor* t = c.opt(1)) return tensor_to_ints(*t);
  return {};
}

void k_squeeze(KernelContext& c) {
  const Tensor& x = c.in(0);
  int64_t rank = int64_t(x.rank());
  std::vector<int64_t> axes = axes_of(c);
  std::vector<bool> drop(static_cast<size_t>(rank), false);
  if (axes.empty()) {
    for (int64_t i = 0; i < rank; ++i) drop[size_t(i)] = x.shape[size_t(i)] == 1;
  } else {
    for (int64_t a : axes) {
      int64_t n = norm_axis(a, rank);
      if (x.shape[size_t(n)] != 1)
        fail("Squeeze: dimension " + std::to_string(n) + " of " + shape_str(x.shape) + " is not 1");
      drop[size_t(n)] = true;
    }
  }
  Shape s;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop[size_t(i)]) s.push_back(x.shape[size_t(i)]);
  copy_to(c, 0, x, s);
}

void k_unsqueeze(KernelContext& c) {
  const Tensor& x = c.in(0);
  std::vector<int64_t> axes = axes_of(c);
  int64_t out_rank = int64_t(x.rank() + axes.size());
  std::vector<bool> ins(static_cast<size_t>(out_rank), false);
  for (int64_t a : axes) {
    int64_t n = norm_axis(a, out_rank);
    if (ins[size_t(n)]) fail("Unsqueeze: repeated axis");
    ins[size_t(n)] = true;
  }
  Shape s;
  size_t j = 0;
  for (int64_t i = 0; i < out_rank; ++i) s.push_back(ins[size_t(i)] ? 1 : x.shape[j++]);
  copy_to(c, 0, x, s);
}

void k_identity(KernelContext& c) {
  copy_to(c, 0, c.in(0), c.in(0).shape);
}

// Inference-mode Dropout is the identity; the optional mask is all true.
void k_dropout(KernelContext& c) {
  const Tensor* training = c.opt(2);
  const Tensor* ratio = c.opt(1);
  bool train = training && tensor_get_int(*training, 0) != 0;
  if (train && (!ratio || tensor_get_double(*ratio, 0) != 0.0))
    fail("Dropout in training mode is random and not supported");
  copy_to(c, 0, c.in(0), c.in(0).shape);
  if (c.wants(1)) {
    Tensor& m = c.out(1, DType::kBool, c.in(0).shape);
    std::fill_n(m.as<bool>(), m.numel(), true);
  }
}

void k_shape(KernelContext& c) {
  const Tensor& x = c.in(0);
  int64_t rank = int64_t(x.rank());
  int64_t start = c.attrs().get_int("start", 0);
  int64_t end = c.attrs().get_int("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  int64_t n = std::max<int64_t>(0, end - start);
  Tensor& o = c.out(0, DType::kI64, {n});
  for (int64_t i = 0; i < n; ++i) o.as<int64_t>()[i] = x.shape[size_t(start + i)];
}

void k_size(KernelContext& c) {
  Tensor& o = c.out(0, DType::kI64, {});
  o.as<int64_t>()[0] = c.in(0).numel();
}

void k_expand(KernelContext& c) {
  const Tensor& x = c.in(0);
  Shape want = tensor_to_ints(c.in(1));
  Shape s = broadcast_shapes(x.shape, want);
  Tensor& o = c.out(0, x.dtype, s);
  broadcast_copy(x, o);
}

void fill_scalar(Tensor& o, const Tensor& v) {
  size_t es = dtype_size(o.dtype);
  auto* p = static_cast<uint8_t*>(o.data);
  for (int64_t i = 0; i < o.numel(); ++i) std::memcpy(p + size_t(i) * es, v.data, es);
}

void k_constant_of_shape(KernelContext& c) {
  Shape s = tensor_to_ints(c.in(0));
  const Tensor* v = c.attrs().get_tensor("value");
  if (!v) {
    c.out(0, DType::kF32, s);  // zero-filled
    return;
  }
  if (v->numel() != 1) fail("ConstantOfShape value must have one element");
  Tensor& o = c.out(0, v->dtype, s);
  fill_scalar(o, *v);
}

void k_constant(KernelContext& c) {
  const Attrs& a = c.attrs();
  if (const Tensor* t = a.get_tensor("value")) {
    Tensor& o = c.out(0, t->dtype, t->shape);
    if (t->nbytes()) std::memcpy(o.data, t->data, t->nbytes());
  } else if (a.has("value_float")) {
    c.out(0, DType::kF32, {}).as<float>()[0] = a.get_float("value_float", 0);
  } else if (a.has("value_int")) {
    c.out(0, DType::kI64, {}).as<int64_t>()[0] = a.get_int("value_int", 0);
  } else if (a.has("value_floats")) {
    auto v = a.get_floats("value_floats");
    Tensor& o = c.out(0, DType::kF32, {int64_t(v.size())});
    std::copy(v.begin(), v.end(), o.as<float>());
  } else if (a.has("value_ints")) {
    auto v = a.get_ints("value_ints");
    Tensor& o = c.out(0, DType::kI64, {int64_t(v.size())});
    std::copy(v.begin(), v.end(), o.as<int64_t>());
  } else {
    fail("Constant without a supported value attribute (sparse and string values are not)");
  }
}

void k_range(KernelContext& c) {
  const Tensor& st = c.in(0);
  bool ok = dispatch<kFloatTypes | kSignedTypes>(st.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T start = st.as<T>()[0], limit = c.in(1).as<T>()[0], delta = c.in(2).as<T>()[0];
    if (delta == 0) fail("Range delta must not be 0");
    double n = std::ceil((double(limit) - double(start)) / double(delta));
    int64_t count = std::max<int64_t>(0, int64_t(n));
    Tensor& o = c.out(0, st.dtype, {count});
    for (int64_t i = 0; i < count; ++i) o.as<T>()[i] = T(start + T(i) * delta);
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(st.dtype));
}

void k_eye_like(KernelContext& c) {
  const Tensor& x = c.in(0);
  if (x.rank() != 2) fail("EyeLike needs a 2-D input");
  DType dt = c.attrs().has("dtype") ? DType(c.attrs().get_int("dtype", 1)) : x.dtype;
  int64_t k = c.attrs().get_int("k", 0);
  Tensor& o = c.out(0, dt, x.shape);
  bool ok = dispatch<kAllTypes>(dt, [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t i = 0; i < x.shape[0]; ++i) {
      int64_t j = i + k;
      if (j >= 0 && j < x.shape[1]) o.as<T>()[i * x.shape[1] + j] = T(1);
    }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(dt));
}

}  // namespace

void register_shape_ops(KernelRegistry& r) {
  const unsigned any = kAllTypes | kHalfNative;
  const unsigned moves = any | kByteNative;
  r.add({"Reshape", k_reshape, moves});
  r.add({"Flatten", k_flatten, moves});
  r.add({"Squeeze", k_squeeze, moves});
  r.add({"Unsqueeze", k_unsqueeze, moves});
  r.add({"Identity", k_identity, moves});
  r.add({"Dropout", k_dropout, any});
  r.add({"Shape", k_shape, moves});
  r.add({"Size", k_size, moves});
  r.add({"Expand", k_expand, moves});
  r.add({"ConstantOfShape", k_constant_of_shape, kIntTypes});
  r.add({"Constant", k_constant, 0});
  r.add({"Range", k_range, kFloatTypes | kSignedTypes});
  r.add({"EyeLike", k_eye_like, kAllTypes});
}

}  // namespace rnpu::cpu
