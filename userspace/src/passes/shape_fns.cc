// Shape functions for elementwise, data-movement and reduction ops.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "passes/infer_ctx.h"
#include "passes/shape_inference.h"

namespace rnpu::passes {

namespace {

void same_as_input(InferCtx& c) {
  c.out(0, c.dt(0), c.shape(0));
}
void bool_same_shape(InferCtx& c) {
  c.out(0, DType::kBool, c.shape(0));
}

Shape broadcast_all(InferCtx& c, size_t first = 0) {
  Shape s = c.shape(first);
  for (size_t i = first + 1; i < c.num_inputs(); ++i)
    if (c.has(i)) s = broadcast_shapes(s, c.shape(i), c.node());
  return s;
}

// Elementwise arithmetic on known integer vectors (shape math).
void propagate_arith(InferCtx& c) {
  const auto* a = c.ints(0);
  const auto* b = c.ints(1);
  if (!a || !b || c.rank(0) > 1 || c.rank(1) > 1) return;
  if (a->size() != b->size() && a->size() != 1 && b->size() != 1) return;
  size_t n = std::max(a->size(), b->size());
  std::vector<int64_t> r(n);
  const std::string& op = c.node().op;
  const bool wide = c.dt(0) == DType::kInt64;
  for (size_t i = 0; i < n; ++i) {
    int64_t x = (*a)[a->size() == 1 ? 0 : i], y = (*b)[b->size() == 1 ? 0 : i];
    if (x == kUnknownInt || y == kUnknownInt) {
      r[i] = kUnknownInt;
      continue;
    }
    // Values that overflow (the run wraps them) are simply not known here.
    std::optional<int64_t> v;
    if (op == "Add")
      v = checked_arith('+', x, y);
    else if (op == "Sub")
      v = checked_arith('-', x, y);
    else if (op == "Mul")
      v = checked_arith('*', x, y);
    else if (op == "Div")
      v = y ? std::optional<int64_t>(x / y) : std::nullopt;
    else
      return;
    if (v && !wide && (*v < INT32_MIN || *v > INT32_MAX)) v.reset();
    r[i] = v && *v != kUnknownInt ? *v : kUnknownInt;
  }
  c.out_ints(0, std::move(r));
}

// Operands of elementwise ops and Concat share one element type; an operand
// whose producer could not be typed (an If output: subgraphs are markers)
// takes it from the others, so one untyped value does not untype the rest.
DType common_dtype(InferCtx& c) {
  for (size_t i = 0; i < c.num_inputs(); ++i)
    if (c.has(i) && c.dt(i) != DType::kUndefined) return c.dt(i);
  return DType::kUndefined;
}

void binary_arith(InferCtx& c) {
  c.out(0, common_dtype(c), broadcast_all(c));
  if (ir::dtype_is_int(c.dt(0))) propagate_arith(c);
}
void variadic(InferCtx& c) {
  c.out(0, common_dtype(c), broadcast_all(c));
}

void prelu(InferCtx& c) {
  // PRelu-1/6: a 1-D slope is per channel (upgrade_legacy rewrites it).
  if (c.opset() < 7 && c.rank_known(1) && c.rank(1) == 1) return c.out(0, c.dt(0), c.shape(0));
  variadic(c);
}
void compare(InferCtx& c) {
  c.out(0, DType::kBool, broadcast_all(c));
}
void where(InferCtx& c) {
  c.out(0, c.dt(1), broadcast_all(c));
}

void identity(InferCtx& c) {
  c.out_value(0, c.kind(0), c.dt(0), c.shape(0));  // also sequences and optionals
  if (const auto* v = c.ints(0)) c.out_ints(0, *v);
}

void cast(InferCtx& c) {
  int64_t to = c.attrs().get_int("to", 0);
  if (!ir::dtype_valid(int(to)))
    c.fail(to == 8 ? ErrorCode::kUnsupportedOp : kBad,
           "cast target type " + std::to_string(to) + " is not supported");
  c.out(0, DType(to), c.shape(0));
  if (ir::dtype_is_int(DType(to)))
    if (const auto* v = c.ints(0)) c.out_ints(0, *v);
}

void cast_like(InferCtx& c) {
  c.out(0, c.dt(1), c.shape(0));
}

void shape_op(InferCtx& c) {
  const Shape& s = c.shape(0);
  if (!s.has_rank) {
    c.out(0, DType::kInt64, ranked({Dim{}}));
    return;
  }
  int64_t r = int64_t(s.rank());
  int64_t start = c.attrs().get_int("start", 0), end = c.attrs().get_int("end", r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, 0, r);
  std::vector<int64_t> v;
  for (int64_t i = start; i < end; ++i)
    v.push_back(s.dims[size_t(i)].known() ? s.dims[size_t(i)].value : kUnknownInt);
  c.out(0, DType::kInt64, ranked({dim(int64_t(v.size()))}));
  c.out_ints(0, std::move(v));
}

void size_op(InferCtx& c) {
  c.out(0, DType::kInt64, ranked({}));
  if (auto n = c.shape(0).numel()) c.out_ints(0, {*n});
}

void reshape(InferCtx& c) {
  const auto* sp = c.ints(1);
  if (c.opset() < 5)
    c.fail(ErrorCode::kUnsupportedOp, "Reshape-1 (shape attribute) is unsupported");
  if (!sp) {
    // Rank is known from the shape input's length even if values are not.
    Shape s = Shape::unknown_rank();
    if (c.rank_known(1) && c.rank(1) == 1 && c.shape(1).dims[0].known()) {
      c.check_rank(uint64_t(c.shape(1).dims[0].value), "shape input");
      s = ranked(std::vector<Dim>(size_t(c.shape(1).dims[0].value)));
    }
    c.out(0, c.dt(0), s);
    return;
  }
  c.check_rank(sp->size(), "shape input");
  bool allowzero = c.attrs().get_int("allowzero", 0) != 0;
  const Shape& in = c.shape(0);
  std::vector<Dim> out(sp->size());
  int infer_at = -1;
  for (size_t i = 0; i < sp->size(); ++i) {
    int64_t v = (*sp)[i];
    if (v == kUnknownInt) continue;
    if (v == -1) {
      c.check(infer_at < 0, kBad, "shape has more than one -1");
      infer_at = int(i);
    } else if (v == 0 && !allowzero) {
      if (in.has_rank) {
        c.check(i < in.rank(), kShape,
                "shape entry 0 at " + std::to_string(i) + " copies a dimension the input " +
                    in.str() + " does not have");
        out[i] = in.dims[i];
      }
    } else if (v < 0) {
      c.fail(kBad, "shape entry " + std::to_string(v) + " is invalid");
    } else {
      out[i] = dim(v);
    }
  }
  auto numel = in.numel();
  if (infer_at >= 0 && numel) {
    int64_t rest = 1;
    bool all = true;
    for (size_t i = 0; i < out.size(); ++i)
      if (int(i) != infer_at) {
        if (!out[i].known()) {
          all = false;
        } else {
          c.check(out[i].value == 0 || rest <= ir::kMaxElements / out[i].value, kBad,
                  "reshape target " + ranked(out).str() + " has too many elements");
          rest *= out[i].value;
        }
      }
    if (all) {
      c.check(rest != 0 ? *numel % rest == 0 : *numel == 0, kShape,
              "cannot reshape " + in.str() + " to " + ranked(out).str() + " with -1");
      out[size_t(infer_at)] = dim(rest ? *numel / rest : 0);
    }
  }
  Shape s = ranked(out);
  if (auto n2 = s.numel(); n2 && numel)
    c.check(
        *n2 == *numel, kShape,
        "cannot reshape " + in.str() + " (" + std::to_string(*numel) + " elements) to " + s.str());
  c.out(0, c.dt(0), s);
  if (const auto* v = c.ints(0)) c.out_ints(0, *v);
}

void flatten(InferCtx& c) {
  const Shape& s = c.shape(0);
  if (!s.has_rank) {
    c.out(0, c.dt(0), ranked({Dim{}, Dim{}}));
    return;
  }
  int64_t r = int64_t(s.rank());
  int64_t a = c.attrs().get_int("axis", 1);
  c.check(a >= -r && a <= r, kBad, "axis " + std::to_string(a) + " out of range");
  if (a < 0) a += r;
  auto prod = [&](int64_t b, int64_t e) {
    int64_t p = 1;
    for (int64_t i = b; i < e; ++i) {
      if (!s.dims[size_t(i)].known()) return Dim{};
      p = c.arith('*', p, s.dims[size_t(i)].value, "flattened size");
    }
    return dim(p);
  };
  c.out(0, c.dt(0), ranked({prod(0, a), prod(a, r)}));
}

std::optional<std::vector<int64_t>> axes_of(InferCtx& c, size_t input_index, int from_opset) {
  if (c.opset() >= from_opset) {
    if (!c.has(input_index)) return std::vector<int64_t>{};
    return c.known_ints(input_index);
  }
  return c.attrs().get_ints("axes");
}

void squeeze(InferCtx& c) {
  auto axes = axes_of(c, 1, 13);
  const Shape& s = c.shape(0);
  if (!axes || !s.has_rank) {
    c.out(0, c.dt(0), Shape::unknown_rank());
    return;
  }
  int64_t r = int64_t(s.rank());
  std::vector<bool> drop(size_t(r), false);
  if (axes->empty()) {
    for (int64_t i = 0; i < r; ++i) {
      if (!s.dims[size_t(i)].known()) {
        c.out(0, c.dt(0), Shape::unknown_rank());
        return;
      }
      drop[size_t(i)] = s.dims[size_t(i)].value == 1;
    }
  }
  for (int64_t a : *axes) {
    int64_t ax = c.axis(a, r);
    const Dim& d = s.dims[size_t(ax)];
    c.check(!d.known() || d.value == 1, kShape,
            "cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(d.value));
    drop[size_t(ax)] = true;
  }
  std::vector<Dim> out;
  for (int64_t i = 0; i < r; ++i)
    if (!drop[size_t(i)]) out.push_back(s.dims[size_t(i)]);
  c.out(0, c.dt(0), ranked(out));
  if (const auto* v = c.ints(0)) c.out_ints(0, *v);
}

void unsqueeze(InferCtx& c) {
  auto axes = axes_of(c, 1, 13);
  const Shape& s = c.shape(0);
  if (!axes || !s.has_rank) {
    c.out(0, c.dt(0), Shape::unknown_rank());
    return;
  }
  int64_t r = int64_t(s.rank() + axes->size());
  c.check(r <= ir::kMaxRank, kBad, "result rank too large");
  std::vector<bool> ins(size_t(r), false);
  for (int64_t a : *axes) {
    int64_t ax = c.axis(a, r);
    c.check(!ins[size_t(ax)], kBad, "axis " + std::to_string(a) + " repeated");
    ins[size_t(ax)] = true;
  }
  std::vector<Dim> out;
  size_t j = 0;
  for (int64_t i = 0; i < r; ++i) out.push_back(ins[size_t(i)] ? Dim{1, {}} : s.dims[j++]);
  c.out(0, c.dt(0), ranked(out));
  if (const auto* v = c.ints(0)) c.out_ints(0, *v);
}

void transpose(InferCtx& c) {
  const Shape& s = c.shape(0);
  if (!s.has_rank) return c.out(0, c.dt(0), s);
  int64_t r = int64_t(s.rank());
  std::vector<int64_t> perm = c.attrs().get_ints("perm");
  if (perm.empty())
    for (int64_t i = r - 1; i >= 0; --i) perm.push_back(i);
  c.check(int64_t(perm.size()) == r, kShape,
          "perm has " + std::to_string(perm.size()) + " entries for rank " + std::to_string(r));
  std::vector<bool> seen(size_t(r), false);
  std::vector<Dim> out;
  for (int64_t p : perm) {
    int64_t ax = c.axis(p, r, "perm entry");
    c.check(!seen[size_t(ax)], kBad, "perm repeats " + std::to_string(p));
    seen[size_t(ax)] = true;
    out.push_back(s.dims[size_t(ax)]);
  }
  c.out(0, c.dt(0), ranked(out));
}

void concat(InferCtx& c) {
  c.check(c.num_inputs() >= 1, kBad, "needs at least one input");
  Shape s;
  bool first = true;
  int64_t ax = 0;
  std::vector<int64_t> known;
  bool all_known = true;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    const Shape& x = c.shape(i);
    c.check(c.dt(i) == DType::kUndefined || c.dt(i) == common_dtype(c), kBad,
            "inputs have different element types");
    if (const auto* v = c.ints(i); v && all_known)
      known.insert(known.end(), v->begin(), v->end());
    else
      all_known = false;
    if (!x.has_rank) {
      s = Shape::unknown_rank();
      first = false;
      continue;
    }
    if (first) {
      s = x;
      ax = c.axis(c.attrs().get_int("axis", 0), int64_t(x.rank()));
      first = false;
      continue;
    }
    if (!s.has_rank) continue;
    c.check(x.rank() == s.rank(), kShape,
            "inputs have ranks " + std::to_string(s.rank()) + " and " + std::to_string(x.rank()));
    for (size_t d = 0; d < s.rank(); ++d) {
      Dim& a = s.dims[d];
      const Dim& b = x.dims[d];
      if (int64_t(d) == ax) {
        a = (a.known() && b.known()) ? dim(a.value + b.value) : Dim{};
      } else if (a.known() && b.known()) {
        c.check(a.value == b.value, kShape,
                "input " + std::to_string(i) + " has shape " + x.str() + ", incompatible with " +
                    c.shape(0).str() + " outside axis " + std::to_string(ax));
      } else if (!a.known()) {
        a = b;
      }
    }
  }
  c.out(0, common_dtype(c), s);
  if (all_known && c.rank_known(0) && c.rank(0) == 1) c.out_ints(0, std::move(known));
}

void split(InferCtx& c) {
  const Shape& s = c.shape(0);
  size_t nout = c.num_outputs();
  if (!s.has_rank) {
    for (size_t i = 0; i < nout; ++i) c.out(i, c.dt(0), s);
    return;
  }
  int64_t ax = c.axis(c.attrs().get_int("axis", 0), int64_t(s.rank()));
  std::optional<std::vector<int64_t>> sizes;
  if (c.opset() >= 13) {
    if (c.has(1)) sizes = c.known_ints(1);
  } else if (c.attrs().has("split")) {
    sizes = c.attrs().get_ints("split");
  }
  const Dim& d = s.dims[size_t(ax)];
  bool explicit_sizes = (c.opset() >= 13 && c.has(1)) || (c.opset() < 13 && c.attrs().has("split"));
  if (explicit_sizes && sizes) {
    c.check(sizes->size() == nout, kBad,
            "split has " + std::to_string(sizes->size()) + " sizes for " + std::to_string(nout) +
                " outputs");
    int64_t sum = 0;
    for (int64_t v : *sizes) {
      c.check(v >= 0, kBad, "negative split size");
      sum = c.arith('+', sum, v, "sum of split sizes");
    }
    c.check(!d.known() || sum == d.value, kShape,
            "split sizes sum to " + std::to_string(sum) + ", axis has " + std::to_string(d.value));
  }
  for (size_t i = 0; i < nout; ++i) {
    Shape o = s;
    if (explicit_sizes) {
      o.dims[size_t(ax)] = sizes ? dim((*sizes)[i]) : Dim{};
    } else if (d.known()) {
      int64_t n = int64_t(nout);
      int64_t chunk = (d.value + n - 1) / n;  // opset 18 allows an uneven last chunk
      int64_t v = std::min(chunk, std::max<int64_t>(0, d.value - chunk * int64_t(i)));
      if (d.value % n == 0) v = d.value / n;
      o.dims[size_t(ax)] = dim(v);
    } else {
      o.dims[size_t(ax)] = Dim{};
    }
    c.out(i, c.dt(0), o);
  }
}

void slice(InferCtx& c) {
  const Shape& s = c.shape(0);
  std::optional<std::vector<int64_t>> starts, ends, axes, steps;
  if (c.opset() < 10) {
    starts = c.attrs().get_ints("starts");
    ends = c.attrs().get_ints("ends");
    if (c.attrs().has("axes")) axes = c.attrs().get_ints("axes");
  } else {
    starts = c.known_ints(1);
    ends = c.known_ints(2);
    if (c.has(3)) axes = c.known_ints(3);
    if (c.has(4)) steps = c.known_ints(4);
    if ((c.has(3) && !axes) || (c.has(4) && !steps)) starts.reset();
  }
  if (!s.has_rank) return c.out(0, c.dt(0), s);
  int64_t r = int64_t(s.rank());
  if (!starts || !ends) {
    c.out(0, c.dt(0), ranked(std::vector<Dim>(size_t(r))));
    return;
  }
  c.check(starts->size() == ends->size(), kBad, "starts and ends differ in length");
  if (!axes) {
    axes.emplace();
    for (size_t i = 0; i < starts->size(); ++i) axes->push_back(int64_t(i));
  }
  if (!steps) steps = std::vector<int64_t>(starts->size(), 1);
  c.check(axes->size() == starts->size() && steps->size() == starts->size(), kBad,
          "starts/ends/axes/steps differ in length");
  Shape o = s;
  std::vector<bool> seen(size_t(r), false);
  const auto* data = c.ints(0);
  std::vector<int64_t> picked;
  bool prop = data && r == 1;
  for (size_t i = 0; i < axes->size(); ++i) {
    int64_t ax = c.axis((*axes)[i], r);
    c.check(!seen[size_t(ax)], kBad, "axis repeated");
    seen[size_t(ax)] = true;
    int64_t step = (*steps)[i];
    c.check(step != 0, kBad, "step is 0");
    const Dim& d = s.dims[size_t(ax)];
    if (!d.known()) {
      o.dims[size_t(ax)] = Dim{};
      prop = false;
      continue;
    }
    int64_t n = d.value, b = (*starts)[i], e = (*ends)[i];
    if (b < 0) b += n;
    if (e < 0 && e > INT64_MIN / 2) e += n;
    int64_t len;
    // ceil(distance / |step|) without forming distance + |step| (steps
    // may be anywhere in int64).
    if (step > 0) {
      b = std::clamp<int64_t>(b, 0, n);
      e = std::clamp<int64_t>(e, 0, n);
      len = e > b ? (e - b - 1) / step + 1 : 0;
    } else {
      b = std::clamp<int64_t>(b, 0, n - 1);
      e = std::clamp<int64_t>(e, -1, n - 1);
      len = b > e ? 1 - (b - e - 1) / step : 0;
    }
    o.dims[size_t(ax)] = dim(len);
    if (prop)
      for (int64_t k = 0; k < len; ++k) picked.push_back((*data)[size_t(b + k * step)]);
  }
  c.out(0, c.dt(0), o);
  if (prop && axes->size() == 1) c.out_ints(0, std::move(picked));
}

void gather(InferCtx& c) {
  const Shape& d = c.shape(0);
  const Shape& idx = c.shape(1);
  if (!d.has_rank || !idx.has_rank) return c.out(0, c.dt(0), Shape::unknown_rank());
  c.check(d.rank() >= 1, kShape, "data must have rank >= 1");
  int64_t ax = c.axis(c.attrs().get_int("axis", 0), int64_t(d.rank()));
  std::vector<Dim> out(d.dims.begin(), d.dims.begin() + ax);
  out.insert(out.end(), idx.dims.begin(), idx.dims.end());
  out.insert(out.end(), d.dims.begin() + ax + 1, d.dims.end());
  c.out(0, c.dt(0), ranked(out));
  const auto* data = c.ints(0);
  auto ind = c.known_ints(1);
  if (data && ind && d.rank() == 1) {
    std::vector<int64_t> v;
    int64_t n = int64_t(data->size());
    for (int64_t i : *ind) {
      if (i < 0) i += n;
      c.check(i >= 0 && i < n, kShape, "index " + std::to_string(i) + " out of range");
      v.push_back((*data)[size_t(i)]);
    }
    c.out_ints(0, std::move(v));
  }
}

void gather_elements(InferCtx& c) {
  if (c.rank_known(0) && c.rank_known(1))
    c.check(c.rank(0) == c.rank(1), kShape,
            "indices " + c.shape(1).str() + " and data " + c.shape(0).str() + " differ in rank");
  c.out(0, c.dt(0), c.shape(1));
}

void gather_nd(InferCtx& c) {
  const Shape& d = c.shape(0);
  const Shape& idx = c.shape(1);
  int64_t b = c.attrs().get_int("batch_dims", 0);
  if (!d.has_rank || !idx.has_rank || idx.rank() == 0 || !idx.dims.back().known())
    return c.out(0, c.dt(0), Shape::unknown_rank());
  int64_t last = idx.dims.back().value;
  c.check(b >= 0 && b < int64_t(std::min(d.rank(), idx.rank())), kBad,
          "batch_dims " + std::to_string(b) + " out of range");
  c.check(last <= int64_t(d.rank()) - b, kShape, "index depth exceeds data rank");
  for (int64_t i = 0; i < b; ++i)
    c.check(!d.dims[size_t(i)].known() || !idx.dims[size_t(i)].known() ||
                d.dims[size_t(i)].value == idx.dims[size_t(i)].value,
            kShape, "indices " + idx.str() + " and data " + d.str() + " differ in batch dims");
  std::vector<Dim> out(idx.dims.begin(), idx.dims.end() - 1);
  out.insert(out.end(), d.dims.begin() + b + last, d.dims.end());
  c.out(0, c.dt(0), ranked(out));
}

void expand(InferCtx& c) {
  const auto* sp = c.ints(1);
  if (!sp) {
    Shape s = Shape::unknown_rank();
    c.out(0, c.dt(0), s);
    return;
  }
  c.check_rank(sp->size(), "shape input");
  std::vector<int64_t> v;
  for (int64_t x : *sp) v.push_back(x == kUnknownInt ? -1 : x);
  for (int64_t x : v) c.check(x >= -1, kBad, "negative dimension in shape");
  c.out(0, c.dt(0), broadcast_shapes(c.shape(0), Shape(v), c.node()));
}

void tile(InferCtx& c) {
  const Shape& s = c.shape(0);
  auto rep = c.known_ints(1);
  if (!s.has_rank) return c.out(0, c.dt(0), s);
  if (!rep) return c.out(0, c.dt(0), ranked(std::vector<Dim>(s.rank())));
  c.check(rep->size() == s.rank(), kShape,
          "repeats has " + std::to_string(rep->size()) + " entries for rank " +
              std::to_string(s.rank()));
  Shape o = s;
  for (size_t i = 0; i < s.rank(); ++i) {
    c.check((*rep)[i] >= 0, kBad, "negative repeat");
    if (o.dims[i].known()) {
      c.check((*rep)[i] == 0 || o.dims[i].value <= ir::kMaxElements / (*rep)[i], kBad,
              "repeats too large");
      o.dims[i] = dim(o.dims[i].value * (*rep)[i]);
    }
  }
  c.out(0, c.dt(0), o);
}

void pad(InferCtx& c) {
  const Shape& s = c.shape(0);
  std::optional<std::vector<int64_t>> pads;
  if (c.opset() < 11)
    pads = c.attrs().get_ints("pads");
  else
    pads = c.known_ints(1);
  if (!s.has_rank) return c.out(0, c.dt(0), s);
  size_t r = s.rank();
  if (!pads) return c.out(0, c.dt(0), ranked(std::vector<Dim>(r)));
  std::vector<int64_t> axes;
  if (c.has(3)) {
    auto a = c.known_ints(3);
    if (!a) return c.out(0, c.dt(0), ranked(std::vector<Dim>(r)));
    for (int64_t x : *a) axes.push_back(c.axis(x, int64_t(r)));
  } else {
    for (size_t i = 0; i < r; ++i) axes.push_back(int64_t(i));
  }
  c.check(pads->size() == 2 * axes.size(), kShape,
          "pads has " + std::to_string(pads->size()) + " entries, need " +
              std::to_string(2 * axes.size()));
  Shape o = s;
  for (size_t i = 0; i < axes.size(); ++i) {
    Dim& d = o.dims[size_t(axes[i])];
    int64_t b = (*pads)[i], e = (*pads)[i + axes.size()];
    c.check(std::abs(b) <= ir::kMaxElements && std::abs(e) <= ir::kMaxElements, kBad,
            "pad too large");
    if (d.known()) {
      int64_t v = d.value + b + e;
      c.check(v >= 0, kShape, "pads make a dimension negative");
      d = dim(v);
    }
  }
  c.out(0, c.dt(0), o);
}

void constant_of_shape(InferCtx& c) {
  DType t = DType::kFloat32;
  if (const ir::Attribute* a = c.attrs().find("value"); a && a->t) t = a->t->dtype;
  auto sp = c.ints(0);
  if (!sp) {
    Shape s = Shape::unknown_rank();
    if (c.rank_known(0) && c.rank(0) == 1 && c.shape(0).dims[0].known()) {
      c.check_rank(uint64_t(c.shape(0).dims[0].value), "shape input");
      s = ranked(std::vector<Dim>(size_t(c.shape(0).dims[0].value)));
    }
    return c.out(0, t, s);
  }
  c.check_rank(sp->size(), "shape input");
  std::vector<int64_t> v;
  for (int64_t x : *sp) {
    c.check(x == kUnknownInt || x >= 0, kBad, "negative dimension " + std::to_string(x));
    v.push_back(x == kUnknownInt ? -1 : x);
  }
  c.out(0, t, Shape(v));
}

void range(InferCtx& c) {
  auto s = c.const_scalar(0), l = c.const_scalar(1), d = c.const_scalar(2);
  const auto* si = c.ints(0);
  const auto* li = c.ints(1);
  const auto* di = c.ints(2);
  if (!s && si && si->size() == 1 && (*si)[0] != kUnknownInt) s = double((*si)[0]);
  if (!l && li && li->size() == 1 && (*li)[0] != kUnknownInt) l = double((*li)[0]);
  if (!d && di && di->size() == 1 && (*di)[0] != kUnknownInt) d = double((*di)[0]);
  if (!s || !l || !d) return c.out(0, c.dt(0), ranked({Dim{}}));
  c.check(*d != 0, kBad, "delta is 0");
  double n = std::ceil((*l - *s) / *d);
  c.check(std::isfinite(n) && n <= double(ir::kMaxElements), kBad, "range too long");
  c.out(0, c.dt(0), ranked({dim(std::max<int64_t>(0, int64_t(n)))}));
}

void depth_to_space(InferCtx& c) {
  const Shape& s = c.shape(0);
  int64_t b = c.attrs().get_int("blocksize", 0);
  c.check(b > 0 && b < 65536, kBad, "blocksize must be positive");
  if (!s.has_rank) return c.out(0, c.dt(0), s);
  c.check(s.rank() == 4, kShape, "input must be 4-D, got " + s.str());
  auto& d = s.dims;
  bool to_space = c.node().op == "DepthToSpace";
  Dim ch = d[1], h = d[2], w = d[3];
  if (to_space) {
    if (ch.known()) {
      c.check(ch.value % (b * b) == 0, kShape, "channels not divisible by blocksize^2");
      ch = dim(ch.value / (b * b));
    }
    if (h.known()) h = dim(h.value * b);
    if (w.known()) w = dim(w.value * b);
  } else {
    if (ch.known()) ch = dim(c.arith('*', ch.value, b * b, "output channels"));
    if (h.known()) {
      c.check(h.value % b == 0, kShape, "height not divisible by blocksize");
      h = dim(h.value / b);
    }
    if (w.known()) {
      c.check(w.value % b == 0, kShape, "width not divisible by blocksize");
      w = dim(w.value / b);
    }
  }
  c.out(0, c.dt(0), ranked({d[0], ch, h, w}));
}

void one_hot(InferCtx& c) {
  const Shape& s = c.shape(0);
  DType t = c.dt(2);
  if (!s.has_rank) return c.out(0, t, s);
  int64_t r = int64_t(s.rank()) + 1;
  int64_t ax = c.axis(c.attrs().get_int("axis", -1), r);
  Dim depth;
  if (auto d = c.const_scalar(1)) {
    c.check(*d >= 1 && *d <= double(ir::kMaxElements), kBad, "depth out of range");
    depth = dim(int64_t(*d));
  }
  std::vector<Dim> out = s.dims;
  out.insert(out.begin() + ax, depth);
  c.out(0, t, ranked(out));
}

void eye_like(InferCtx& c) {
  DType t = c.attrs().has("dtype") ? DType(c.attrs().get_int("dtype", 1)) : c.dt(0);
  c.out(0, t, c.shape(0));
}

void non_zero(InferCtx& c) {
  Dim r = c.rank_known(0) ? dim(c.rank(0)) : Dim{};
  c.out(0, DType::kInt64, ranked({r, Dim{}}));
}

void top_k(InferCtx& c) {
  const Shape& s = c.shape(0);
  if (!s.has_rank) {
    c.out(0, c.dt(0), s);
    c.out(1, DType::kInt64, s);
    return;
  }
  int64_t ax = c.axis(c.attrs().get_int("axis", -1), int64_t(s.rank()));
  Shape o = s;
  std::optional<int64_t> k;
  if (c.opset() < 10)
    k = c.attrs().get_int("k", 0);
  else if (auto v = c.known_ints(1); v && v->size() == 1)
    k = (*v)[0];
  if (k) {
    c.check(*k >= 0, kBad, "k is negative");
    const Dim& d = s.dims[size_t(ax)];
    c.check(!d.known() || *k <= d.value, kShape,
            "k=" + std::to_string(*k) + " exceeds axis size " + std::to_string(d.value));
    o.dims[size_t(ax)] = dim(*k);
  } else {
    o.dims[size_t(ax)] = Dim{};
  }
  c.out(0, c.dt(0), o);
  c.out(1, DType::kInt64, o);
}

void arg_reduce(InferCtx& c) {
  const Shape& s = c.shape(0);
  if (!s.has_rank) return c.out(0, DType::kInt64, s);
  int64_t ax = c.axis(c.attrs().get_int("axis", 0), std::max<int64_t>(1, int64_t(s.rank())));
  bool keep = c.attrs().get_int("keepdims", 1) != 0;
  std::vector<Dim> out;
  for (size_t i = 0; i < s.rank(); ++i) {
    if (int64_t(i) == ax) {
      if (keep) out.push_back(Dim{1, {}});
    } else {
      out.push_back(s.dims[i]);
    }
  }
  c.out(0, DType::kInt64, ranked(out));
}

void reduce(InferCtx& c) {
  const Shape& s = c.shape(0);
  const std::string& op = c.node().op;
  bool keep = c.attrs().get_int("keepdims", 1) != 0;
  bool axes_input = (op == "ReduceSum" && c.opset() >= 13) || c.opset() >= 18;
  std::optional<std::vector<int64_t>> axes;
  if (axes_input)
    axes = c.has(1) ? c.known_ints(1) : std::vector<int64_t>{};
  else
    axes = c.attrs().get_ints("axes");
  if (!s.has_rank) return c.out(0, c.dt(0), s);
  int64_t r = int64_t(s.rank());
  if (!axes) {
    c.out(0, c.dt(0), keep ? ranked(std::vector<Dim>(size_t(r))) : Shape::unknown_rank());
    return;
  }
  std::vector<bool> red(size_t(r), false);
  if (axes->empty()) {
    if (c.attrs().get_int("noop_with_empty_axes", 0)) return c.out(0, c.dt(0), s);
    red.assign(size_t(r), true);
  }
  for (int64_t a : *axes) red[size_t(c.axis(a, r))] = true;
  std::vector<Dim> out;
  for (int64_t i = 0; i < r; ++i) {
    if (!red[size_t(i)])
      out.push_back(s.dims[size_t(i)]);
    else if (keep)
      out.push_back(Dim{1, {}});
  }
  c.out(0, c.dt(0), ranked(out));
}

void compress(InferCtx& c) {
  const Shape& s = c.shape(0);
  if (!s.has_rank || !c.attrs().has("axis")) return c.out(0, c.dt(0), ranked({Dim{}}));
  int64_t ax = c.axis(c.attrs().get_int("axis", 0), int64_t(s.rank()));
  Shape o = s;
  o.dims[size_t(ax)] = Dim{};
  c.out(0, c.dt(0), o);
}

void unique(InferCtx& c) {
  c.out(0, c.dt(0), Shape::unknown_rank());
  for (size_t i = 1; i < 4; ++i) c.out(i, DType::kInt64, ranked({Dim{}}));
}

void quantize(InferCtx& c) {
  DType t = DType::kUInt8;
  if (c.has(2)) {
    t = c.dt(2);
  } else if (int64_t od = c.attrs().get_int("output_dtype", 0)) {
    // Opset 21: the type when there is no zero point.
    if (od < 0 || od > 255 || !ir::dtype_valid(int(od)) || od == 8)
      c.fail(kBad, "output_dtype " + std::to_string(od) + " is not a type");
    t = DType(od);
  }
  c.out(0, t, c.shape(0));
}
void dequantize(InferCtx& c) {
  c.out(0, c.dt(1), c.shape(0));
}
void dyn_quantize(InferCtx& c) {
  c.out(0, DType::kUInt8, c.shape(0));
  c.out(1, DType::kFloat32, ranked({}));
  c.out(2, DType::kUInt8, ranked({}));
}

void dropout(InferCtx& c) {
  c.out(0, c.dt(0), c.shape(0));
  c.out(1, DType::kBool, c.shape(0));
}

void random_like(InferCtx& c) {
  DType t = c.attrs().has("dtype") ? DType(c.attrs().get_int("dtype", 1)) : c.dt(0);
  c.out(0, t, c.shape(0));
}
void random(InferCtx& c) {
  DType t = DType(c.attrs().get_int("dtype", 1));
  auto sh = c.attrs().get_ints("shape");
  c.check_rank(sh.size(), "shape");
  for (int64_t d : sh) c.check(d >= 0, kBad, "negative dimension");
  c.out(0, t, Shape(sh));
}

void det(InferCtx& c) {
  const Shape& s = c.shape(0);
  if (!s.has_rank) return c.out(0, c.dt(0), s);
  c.check(s.rank() >= 2, kShape, "input must have rank >= 2");
  c.out(0, c.dt(0), ranked({s.dims.begin(), s.dims.end() - 2}));
}

void non_max_suppression(InferCtx& c) {
  c.out(0, DType::kInt64, ranked({Dim{}, Dim{3, {}}}));
}

}  // namespace

void register_shape_fns(std::unordered_map<std::string, ShapeFn>& m) {
  for (const char* op : {"Abs",
                         "Acos",
                         "Acosh",
                         "Asin",
                         "Asinh",
                         "Atan",
                         "Atanh",
                         "Ceil",
                         "Cos",
                         "Cosh",
                         "Elu",
                         "Erf",
                         "Exp",
                         "Floor",
                         "HardSigmoid",
                         "HardSwish",
                         "LeakyRelu",
                         "Log",
                         "Neg",
                         "Reciprocal",
                         "Relu",
                         "Round",
                         "Selu",
                         "Sigmoid",
                         "Sign",
                         "Sin",
                         "Sinh",
                         "Softplus",
                         "Softsign",
                         "Sqrt",
                         "Tan",
                         "Tanh",
                         "ThresholdedRelu",
                         "Celu",
                         "Mish",
                         "Softmax",
                         "LogSoftmax",
                         "Hardmax",
                         "Clip",
                         "LRN",
                         "InstanceNormalization",
                         "LpNormalization",
                         "MeanVarianceNormalization",
                         "CumSum",
                         "Shrink",
                         "Gelu",
                         "Trilu",
                         "ReverseSequence",
                         "ScatterElements",
                         "ScatterND",
                         "Scatter",
                         "BitwiseNot",
                         "Bernoulli"})
    m[op] = same_as_input;
  m["Identity"] = identity;
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) m[op] = binary_arith;
  for (const char* op : {"Pow", "Mod", "BitShift", "Max", "Min", "Sum", "Mean", "BitwiseAnd",
                         "BitwiseOr", "BitwiseXor"})
    m[op] = variadic;
  for (const char* op :
       {"Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or", "Xor"})
    m[op] = compare;
  for (const char* op : {"IsNaN", "IsInf", "Not"}) m[op] = bool_same_shape;
  m["Where"] = where;
  m["PRelu"] = prelu;
  m["Cast"] = cast;
  m["CastLike"] = cast_like;
  m["Shape"] = shape_op;
  m["Size"] = size_op;
  m["Reshape"] = reshape;
  m["Flatten"] = flatten;
  m["Squeeze"] = squeeze;
  m["Unsqueeze"] = unsqueeze;
  m["Transpose"] = transpose;
  m["Concat"] = concat;
  m["Split"] = split;
  m["Slice"] = slice;
  m["Gather"] = gather;
  m["GatherElements"] = gather_elements;
  m["GatherND"] = gather_nd;
  m["Expand"] = expand;
  m["Tile"] = tile;
  m["Pad"] = pad;
  m["ConstantOfShape"] = constant_of_shape;
  m["Range"] = range;
  m["DepthToSpace"] = depth_to_space;
  m["SpaceToDepth"] = depth_to_space;
  m["OneHot"] = one_hot;
  m["EyeLike"] = eye_like;
  m["NonZero"] = non_zero;
  m["TopK"] = top_k;
  m["ArgMax"] = arg_reduce;
  m["ArgMin"] = arg_reduce;
  for (const char* op :
       {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
        "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"})
    m[op] = reduce;
  m["Compress"] = compress;
  m["Unique"] = unique;
  m["QuantizeLinear"] = quantize;
  m["DequantizeLinear"] = dequantize;
  m["DynamicQuantizeLinear"] = dyn_quantize;
  m["Dropout"] = dropout;
  m["RandomNormalLike"] = random_like;
  m["RandomUniformLike"] = random_like;
  m["RandomNormal"] = random;
  m["RandomUniform"] = random;
  m["Det"] = det;
  m["NonMaxSuppression"] = non_max_suppression;
}

}  // namespace rnpu::passes
