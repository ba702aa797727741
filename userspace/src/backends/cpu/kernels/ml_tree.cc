// ai.onnx.ml tree ensembles: TreeEnsemble (ml opset 5) and the classic
// TreeEnsembleClassifier / TreeEnsembleRegressor (opset 1, and 3 with the
// `*_as_tensor` attributes).  The trees are rebuilt and validated from the
// attributes on every run (ml_forest.cc); the support check builds them once
// too, so a malformed ensemble is refused, with the reason, when the model
// loads.
#include <algorithm>

#include "ml.h"
#include "ml_forest.h"

namespace rnpu::cpu {
namespace {

// Thresholds meet features in float32 unless X is double (int inputs are
// compared as float, as the reference converts them).
DType compare_type(DType x) {
  return x == DType::kF64 ? DType::kF64 : DType::kF32;
}

std::vector<double> predict(const Forest& f, const Tensor& x, Rows rw, const char* op) {
  std::vector<double> xv = tensor_to_doubles(x);
  std::vector<double> out(size_t(rw.rows * f.n_targets));
  forest_predict(f, xv.data(), rw.rows, rw.features, out.data(), op);
  return out;
}

template <class T>
void store(Tensor& t, const std::vector<double>& v) {
  T* d = t.as<T>();
  for (size_t i = 0; i < v.size(); ++i) d[i] = T(v[i]);
}

void k_tree_ensemble(KernelContext& c) {
  const Tensor& x = c.in(0);
  if (x.dtype != DType::kF32 && x.dtype != DType::kF64)
    fail(std::string("TreeEnsemble: X must be float, double or float16, not ") +
         dtype_name(x.dtype));
  Rows rw = ml_rows(x, "TreeEnsemble");
  Forest f = forest_from_tree_ensemble(c.attrs(), x.dtype);
  PostTransform pt = read_post_transform(c.attrs(), "TreeEnsemble");
  std::vector<double> y = predict(f, x, rw, "TreeEnsemble");
  for (int64_t r = 0; r < rw.rows; ++r)
    apply_post_transform(pt, &y[size_t(r * f.n_targets)], f.n_targets);
  Tensor& out = c.out(0, x.dtype, {rw.rows, f.n_targets});
  if (x.dtype == DType::kF64)
    store<double>(out, y);
  else
    store<float>(out, y);
}

std::string check_tree_ensemble(const NodeInfo& n) {
  if (n.opset < 5) return "TreeEnsemble needs ai.onnx.ml opset 5";
  DType t = n.input_types.empty() ? DType::kF32 : n.input_types[0];
  forest_from_tree_ensemble(n.attrs, compare_type(t));
  read_post_transform(n.attrs, "TreeEnsemble");
  return "";
}

bool numeric_x(DType t) {
  return t == DType::kF32 || t == DType::kF64 || t == DType::kI64 || t == DType::kI32;
}

void k_tree_regressor(KernelContext& c) {
  const char* op = "TreeEnsembleRegressor";
  const Tensor& x = c.in(0);
  if (!numeric_x(x.dtype)) fail(std::string(op) + ": X must be float, double, int64 or int32");
  Rows rw = ml_rows(x, op);
  Forest f = forest_from_legacy(c.attrs(), false, compare_type(x.dtype), op);
  PostTransform pt = read_post_transform(c.attrs(), op);
  std::vector<double> y = predict(f, x, rw, op);
  for (int64_t r = 0; r < rw.rows; ++r)
    apply_post_transform(pt, &y[size_t(r * f.n_targets)], f.n_targets);
  store<float>(c.out(0, DType::kF32, {rw.rows, f.n_targets}), y);
}

std::string check_tree_regressor(const NodeInfo& n) {
  DType t = n.input_types.empty() ? DType::kF32 : n.input_types[0];
  if (!numeric_x(t)) return "TreeEnsembleRegressor: X must be float, double, int64 or int32";
  forest_from_legacy(n.attrs, false, compare_type(t), "TreeEnsembleRegressor");
  read_post_transform(n.attrs, "TreeEnsembleRegressor");
  return "";
}

// One list of labels, int64 or strings (the string form's labels are
// mapped by the string op layer, string_ml.cc), with at least two entries.
std::string classifier_labels_problem(const Attrs& a, const char* op) {
  size_t ni = a.get_ints("classlabels_int64s").size();
  size_t ns = attr_strings(a, "classlabels_strings").size();
  if (ni && ns) return std::string(op) + ": classlabels_int64s and classlabels_strings both given";
  if (ni + ns == 0)
    return std::string(op) + ": classlabels_int64s or classlabels_strings is required";
  if (ni + ns == 1) return std::string(op) + " with a single class label is not supported";
  return "";
}

void k_tree_classifier(KernelContext& c) {
  const char* op = "TreeEnsembleClassifier";
  if (!attr_strings(c.attrs(), "classlabels_strings").empty())
    fail(std::string(op) + ": classlabels_strings gives string labels, which run as a string step");
  ClassScores cs = tree_classifier_scores(c.attrs(), c.in(0));
  std::vector<int64_t> labels = c.attrs().get_ints("classlabels_int64s");
  Tensor& y = c.out(0, DType::kI64, {cs.rows});
  for (int64_t r = 0; r < cs.rows; ++r) y.as<int64_t>()[r] = labels[size_t(cs.winner[size_t(r)])];
  if (c.wants(1)) store<float>(c.out(1, DType::kF32, {cs.rows, cs.classes}), cs.scores);
}

std::string check_tree_classifier(const NodeInfo& n) {
  return tree_classifier_problem(n.attrs, n.input_types.empty() ? DType::kF32 : n.input_types[0]);
}

}  // namespace

ClassScores tree_classifier_scores(const Attrs& a, const Tensor& x) {
  const char* op = "TreeEnsembleClassifier";
  if (!numeric_x(x.dtype)) fail(std::string(op) + ": X must be float, double, int64 or int32");
  if (std::string why = classifier_labels_problem(a, op); !why.empty()) fail(why);
  Rows rw = ml_rows(x, op);
  Forest f = forest_from_legacy(a, true, compare_type(x.dtype), op);
  PostTransform pt = read_post_transform(a, op);
  std::vector<int64_t> ids = a.get_ints("class_ids");
  const int64_t nc = f.n_targets;
  // Two classes with every weight on one of them: that class's score s
  // decides both, as [1 - s, s] (or [-s, s] before a squashing transform),
  // the form the ONNX reference gives.
  bool binary = nc == 2 && !ids.empty() &&
                std::all_of(ids.begin(), ids.end(), [&](int64_t i) { return i == ids[0]; });
  ClassScores cs;
  cs.rows = rw.rows;
  cs.classes = nc;
  cs.scores = predict(f, x, rw, op);
  cs.winner.resize(size_t(rw.rows));
  for (int64_t r = 0; r < rw.rows; ++r) {
    double* row = &cs.scores[size_t(r * nc)];
    if (binary) {
      double s = row[ids[0]];
      row[1] = s;
      row[0] = pt == PostTransform::kNone || pt == PostTransform::kProbit ? 1 - s : -s;
    }
    apply_post_transform(pt, row, nc);
    cs.winner[size_t(r)] = std::max_element(row, row + nc) - row;
  }
  return cs;
}

std::string tree_classifier_problem(const Attrs& a, DType x_type) {
  const char* op = "TreeEnsembleClassifier";
  if (std::string why = classifier_labels_problem(a, op); !why.empty()) return why;
  if (!numeric_x(x_type)) return std::string(op) + ": X must be float, double, int64 or int32";
  forest_from_legacy(a, true, compare_type(x_type), op);
  read_post_transform(a, op);
  return "";
}

void register_ml_tree(KernelRegistry& r) {
  r.add({ml_key("TreeEnsemble"), k_tree_ensemble, kFloatTypes | kHalfTypes, check_tree_ensemble});
  r.add({ml_key("TreeEnsembleRegressor"), k_tree_regressor, kFloatTypes | kSignedTypes,
         check_tree_regressor});
  r.add({ml_key("TreeEnsembleClassifier"), k_tree_classifier, kFloatTypes | kSignedTypes,
         check_tree_classifier});
}

}  // namespace rnpu::cpu
