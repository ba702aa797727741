// ai.onnx.ml linear models: LinearClassifier (int64 labels and float
// scores) and LinearRegressor.  Sums run in double over X widened from
// float, double, int64 or int32.
#include <algorithm>

#include "ml.h"

namespace rnpu::cpu {
namespace {

bool numeric_x(DType t) {
  return t == DType::kF32 || t == DType::kF64 || t == DType::kI64 || t == DType::kI32;
}

// scores[r * k + j] = X[r] . coefficients[j] + intercepts[j] for the k rows
// of coefficients (each F long).
std::vector<double> linear_scores(const Tensor& x, Rows rw, const std::vector<float>& coef,
                                  const std::vector<float>& icpt, int64_t k) {
  std::vector<double> xv = tensor_to_doubles(x), s(size_t(rw.rows * k));
  for (int64_t r = 0; r < rw.rows; ++r)
    for (int64_t j = 0; j < k; ++j) {
      double acc = icpt.empty() ? 0.0 : double(icpt[size_t(j)]);
      for (int64_t f = 0; f < rw.features; ++f)
        acc += xv[size_t(r * rw.features + f)] * double(coef[size_t(j * rw.features + f)]);
      s[size_t(r * k + j)] = acc;
    }
  return s;
}

// Rows of `coefficients` for F features; fails unless it is a whole number
// of them and intercepts has one per row (or none).
int64_t coefficient_rows(const Attrs& a, Rows rw, const char* op) {
  size_t nc = a.get_floats("coefficients").size(), ni = a.get_floats("intercepts").size();
  if (nc == 0) fail(std::string(op) + ": coefficients is required");
  if (rw.features == 0 || nc % size_t(rw.features) != 0)
    fail(std::string(op) + ": coefficients has " + std::to_string(nc) +
         " entries, not a multiple of X's " + std::to_string(rw.features) + " features");
  int64_t k = int64_t(nc) / rw.features;
  if (ni != 0) check_len(op, "intercepts", ni, size_t(k), "one per row of coefficients");
  return k;
}

void store_float(Tensor& t, const std::vector<double>& v) {
  for (size_t i = 0; i < v.size(); ++i) t.as<float>()[i] = float(v[i]);
}

// One label list, int64 or strings; string labels are mapped by the string
// op layer (string_ml.cc).
std::string labels_problem(const Attrs& a) {
  if (!a.get_ints("classlabels_ints").empty() && !attr_strings(a, "classlabels_strings").empty())
    return "LinearClassifier: classlabels_ints and classlabels_strings both given";
  return "";
}

void k_linear_classifier(KernelContext& c) {
  if (!attr_strings(c.attrs(), "classlabels_strings").empty())
    fail("LinearClassifier: classlabels_strings gives string labels, which run as a string step");
  ClassScores cs = linear_classifier_scores(c.attrs(), c.in(0));
  std::vector<int64_t> labels = c.attrs().get_ints("classlabels_ints");
  Tensor& y = c.out(0, DType::kI64, {cs.rows});
  for (int64_t r = 0; r < cs.rows; ++r) {
    int64_t w = cs.winner[size_t(r)];
    // Without labels the winner is the class number; a single score's
    // "yes" is 1 (or the one label) and its "no" 0.
    if (cs.classes == 1)
      y.as<int64_t>()[r] = w < 0 ? 0 : labels.empty() ? 1 : labels[0];
    else
      y.as<int64_t>()[r] = labels.empty() ? w : labels[size_t(w)];
  }
  if (c.wants(1)) store_float(c.out(1, DType::kF32, {cs.rows, cs.classes}), cs.scores);
}

std::string check_linear_classifier(const NodeInfo& n) {
  return linear_classifier_problem(n.attrs, n.input_types.empty() ? DType::kF32 : n.input_types[0]);
}

void k_linear_regressor(KernelContext& c) {
  const char* op = "LinearRegressor";
  const Tensor& x = c.in(0);
  if (!numeric_x(x.dtype)) fail(std::string(op) + ": X must be float, double, int64 or int32");
  Rows rw = ml_rows(x, op);
  PostTransform pt = read_post_transform(c.attrs(), op);
  int64_t targets = c.attrs().get_int("targets", 1);
  int64_t k = coefficient_rows(c.attrs(), rw, op);
  if (k != targets)
    fail(std::string(op) + ": coefficients has " + std::to_string(k) + " rows of " +
         std::to_string(rw.features) + " features, targets is " + std::to_string(targets));
  std::vector<double> s = linear_scores(x, rw, c.attrs().get_floats("coefficients"),
                                        c.attrs().get_floats("intercepts"), k);
  for (int64_t r = 0; r < rw.rows; ++r) apply_post_transform(pt, &s[size_t(r * k)], k);
  store_float(c.out(0, DType::kF32, {rw.rows, k}), s);
}

std::string check_linear_regressor(const NodeInfo& n) {
  if (!n.input_types.empty() && !numeric_x(n.input_types[0]))
    return "LinearRegressor: X must be float, double, int64 or int32";
  if (n.attrs.get_floats("coefficients").empty())
    return "LinearRegressor: coefficients is required";
  if (n.attrs.get_int("targets", 1) < 1) return "LinearRegressor: targets must be at least 1";
  read_post_transform(n.attrs, "LinearRegressor");
  return "";
}

}  // namespace

ClassScores linear_classifier_scores(const Attrs& a, const Tensor& x) {
  const char* op = "LinearClassifier";
  if (!numeric_x(x.dtype)) fail(std::string(op) + ": X must be float, double, int64 or int32");
  if (std::string why = labels_problem(a); !why.empty()) fail(why);
  Rows rw = ml_rows(x, op);
  PostTransform pt = read_post_transform(a, op);
  const std::vector<std::string> names = attr_strings(a, "classlabels_strings");
  const size_t n_labels = std::max(a.get_ints("classlabels_ints").size(), names.size());
  const char* list = names.empty() ? "classlabels_ints" : "classlabels_strings";
  int64_t k = coefficient_rows(a, rw, op);
  std::vector<double> s =
      linear_scores(x, rw, a.get_floats("coefficients"), a.get_floats("intercepts"), k);
  // One coefficient row for two labels: the row scores the second class
  // and the first gets its negation.
  if (k == 1 && n_labels == 2) {
    std::vector<double> two(size_t(rw.rows * 2));
    for (int64_t r = 0; r < rw.rows; ++r) {
      two[size_t(2 * r)] = -s[size_t(r)];
      two[size_t(2 * r + 1)] = s[size_t(r)];
    }
    s = std::move(two);
    k = 2;
  }
  if (k > 1 && n_labels != 0) check_len(op, list, n_labels, size_t(k), "one per score");
  ClassScores cs;
  cs.rows = rw.rows;
  cs.classes = k;
  cs.winner.resize(size_t(rw.rows));
  for (int64_t r = 0; r < rw.rows; ++r) {
    double* row = &s[size_t(r * k)];
    apply_post_transform(pt, row, k);
    if (k > 1) {
      cs.winner[size_t(r)] = std::max_element(row, row + k) - row;
    } else {
      // A single score is a yes/no decision against 0 (raw) or 0.5
      // (probability-like after a transform).
      bool yes = row[0] >= (pt == PostTransform::kNone ? 0.0 : 0.5);
      cs.winner[size_t(r)] = yes ? 0 : -1;
    }
  }
  cs.scores = std::move(s);
  return cs;
}

std::string linear_classifier_problem(const Attrs& a, DType x_type) {
  if (!numeric_x(x_type)) return "LinearClassifier: X must be float, double, int64 or int32";
  if (std::string why = labels_problem(a); !why.empty()) return why;
  if (a.get_floats("coefficients").empty()) return "LinearClassifier: coefficients is required";
  read_post_transform(a, "LinearClassifier");
  return "";
}

void register_ml_linear(KernelRegistry& r) {
  r.add({ml_key("LinearClassifier"), k_linear_classifier, kFloatTypes | kSignedTypes,
         check_linear_classifier});
  r.add({ml_key("LinearRegressor"), k_linear_regressor, kFloatTypes | kSignedTypes,
         check_linear_regressor});
}

}  // namespace rnpu::cpu
