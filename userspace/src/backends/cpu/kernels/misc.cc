// Operators that fit no other family: ReverseSequence, Det, Unique.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>

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

// Determinant of the trailing square matrices by LU with partial pivoting.
void k_det(KernelContext& c) {
  const Tensor& x = c.in(0);
  if (x.rank() < 2 || x.dim(-1) != x.dim(-2)) fail("Det needs [..., M, M]");
  int64_t m = x.dim(-1);
  Shape os(x.shape.begin(), x.shape.end() - 2);
  int64_t mats = shape_numel(os);
  std::vector<double> v = tensor_to_doubles(x);
  Tensor& o = c.out(0, x.dtype, os);
  for (int64_t k = 0; k < mats; ++k) {
    std::vector<double> a(v.begin() + k * m * m, v.begin() + (k + 1) * m * m);
    double det = 1;
    for (int64_t col = 0; col < m; ++col) {
      int64_t piv = col;
      for (int64_t r = col + 1; r < m; ++r)
        if (std::abs(a[size_t(r * m + col)]) > std::abs(a[size_t(piv * m + col)])) piv = r;
      if (a[size_t(piv * m + col)] == 0) {
        det = 0;
        break;
      }
      if (piv != col) {
        for (int64_t j = 0; j < m; ++j) std::swap(a[size_t(piv * m + j)], a[size_t(col * m + j)]);
        det = -det;
      }
      double d = a[size_t(col * m + col)];
      det *= d;
      for (int64_t r = col + 1; r < m; ++r) {
        double f = a[size_t(r * m + col)] / d;
        for (int64_t j = col; j < m; ++j) a[size_t(r * m + j)] -= f * a[size_t(col * m + j)];
      }
    }
    if (x.dtype == DType::kF64)
      o.as<double>()[k] = det;
    else
      o.as<float>()[k] = float(det);
  }
}

// Unique elements (or slices along `axis`), sorted or in order of first
// appearance, with first indices, inverse indices and counts.
void k_unique(KernelContext& c) {
  const Tensor& x = c.in(0);
  bool sorted = c.attrs().get_int("sorted", 1) != 0;
  bool has_axis = c.attrs().has("axis");
  int64_t rank = int64_t(x.rank());
  int64_t axis = has_axis ? c.attrs().get_int("axis", 0) : 0;
  if (axis < 0) axis += rank;
  if (has_axis && (axis < 0 || axis >= rank)) fail("Unique axis out of range");
  // View the data as [outer, n, inner] slices along the axis.
  int64_t outer = 1, n = x.numel(), inner = 1;
  if (has_axis) {
    n = x.shape[size_t(axis)];
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
    for (int64_t d = axis + 1; d < rank; ++d) inner *= x.shape[size_t(d)];
  }
  std::vector<double> v = tensor_to_doubles(x);
  auto slice = [&](int64_t i) {
    std::vector<double> s;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < inner; ++k) s.push_back(v[size_t((o * n + i) * inner + k)]);
    return s;
  };
  std::vector<std::vector<double>> keys(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) keys[size_t(i)] = slice(i);
  std::vector<int64_t> first;  // first index of each unique key, in output order
  std::map<std::vector<double>, int64_t> seen;
  for (int64_t i = 0; i < n; ++i)
    if (seen.emplace(keys[size_t(i)], i).second) first.push_back(i);
  if (sorted)
    std::sort(first.begin(), first.end(),
              [&](int64_t a, int64_t b) { return keys[size_t(a)] < keys[size_t(b)]; });
  std::map<std::vector<double>, int64_t> pos;
  for (size_t u = 0; u < first.size(); ++u) pos[keys[size_t(first[u])]] = int64_t(u);
  int64_t nu = int64_t(first.size());
  Shape ys = has_axis ? x.shape : Shape{nu};
  if (has_axis) ys[size_t(axis)] = nu;
  Tensor& y = c.out(0, x.dtype, ys);
  size_t es = dtype_size(x.dtype);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t u = 0; u < nu; ++u)
      std::memcpy(
          static_cast<uint8_t*>(y.data) + size_t((o * nu + u) * inner) * es,
          static_cast<const uint8_t*>(x.data) + size_t((o * n + first[size_t(u)]) * inner) * es,
          size_t(inner) * es);
  if (c.wants(1)) {
    Tensor& t = c.out(1, DType::kI64, {nu});
    std::copy(first.begin(), first.end(), t.as<int64_t>());
  }
  if (c.wants(2)) {
    Tensor& t = c.out(2, DType::kI64, {n});
    for (int64_t i = 0; i < n; ++i) t.as<int64_t>()[i] = pos[keys[size_t(i)]];
  }
  if (c.wants(3)) {
    Tensor& t = c.out(3, DType::kI64, {nu});
    for (int64_t i = 0; i < n; ++i) ++t.as<int64_t>()[pos[keys[size_t(i)]]];
  }
}

// N-gram counting over integer token sequences (rows of a 2-D input or one
// 1-D sequence); n-grams may skip up to max_skip_count tokens between items.
void k_tfidf(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Attrs& a = c.attrs();
  if (a.has("pool_strings")) fail("TfIdfVectorizer over strings is not supported");
  std::string mode = a.get_string("mode", "TF");
  int64_t min_n = a.get_int("min_gram_length", 1), max_n = a.get_int("max_gram_length", 1);
  int64_t max_skip = a.get_int("max_skip_count", 0);
  std::vector<int64_t> counts = a.get_ints("ngram_counts"), indexes = a.get_ints("ngram_indexes");
  std::vector<int64_t> pool = a.get_ints("pool_int64s");
  std::vector<float> weights = a.get_floats("weights");
  if (x.rank() != 1 && x.rank() != 2) fail("TfIdfVectorizer input must be 1-D or 2-D");
  // Map every pooled n-gram to its output column.
  std::map<std::vector<int64_t>, int64_t> grams;
  size_t k = 0;
  for (size_t level = 0; level < counts.size(); ++level) {
    int64_t n = int64_t(level) + 1;
    size_t end = level + 1 < counts.size() ? size_t(counts[level + 1]) : pool.size();
    for (size_t p = size_t(counts[level]); p + size_t(n) <= end; p += size_t(n), ++k) {
      if (k >= indexes.size()) fail("ngram_indexes is shorter than the pool");
      grams[std::vector<int64_t>(pool.begin() + long(p), pool.begin() + long(p) + n)] = indexes[k];
    }
  }
  int64_t width = 0;
  for (int64_t i : indexes) width = std::max(width, i + 1);
  int64_t rows = x.rank() == 2 ? x.shape[0] : 1, len = x.shape.back();
  std::vector<int64_t> tok = tensor_to_ints(x);
  std::vector<double> tf(size_t(rows * width), 0);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t* t = &tok[size_t(r * len)];
    for (int64_t n = std::max<int64_t>(min_n, 1); n <= max_n; ++n)
      for (int64_t skip = 0; skip <= (n == 1 ? 0 : max_skip); ++skip) {
        int64_t step = skip + 1;
        for (int64_t i = 0; i + (n - 1) * step < len; ++i) {
          std::vector<int64_t> g;
          for (int64_t j = 0; j < n; ++j) g.push_back(t[i + j * step]);
          auto it = grams.find(g);
          if (it != grams.end()) tf[size_t(r * width + it->second)] += 1;
        }
      }
  }
  Shape os = x.rank() == 2 ? Shape{rows, width} : Shape{width};
  Tensor& o = c.out(0, DType::kF32, os);
  for (int64_t i = 0; i < rows * width; ++i) {
    double w = weights.empty() ? 1.0 : double(weights[size_t(i % width)]);
    double v = tf[size_t(i)];
    if (mode == "IDF")
      v = v > 0 ? w : 0;
    else if (mode == "TFIDF")
      v *= w;
    else if (mode != "TF")
      fail("unknown TfIdfVectorizer mode '" + mode + "'");
    o.as<float>()[i] = float(v);
  }
}

}  // namespace

void register_misc(KernelRegistry& r) {
  r.add({"TfIdfVectorizer", k_tfidf, kIntTypes});
  r.add({"ReverseSequence", k_reverse_sequence, kAllTypes | kHalfNative});
  r.add({"Det", k_det, kFloatTypes | kHalfTypes});
  r.add({"Unique", k_unique, kNumericTypes | kHalfNative});
}

}  // namespace rnpu::cpu
