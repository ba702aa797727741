// Shape functions of the ai.onnx.ml operators the cpu backend runs,
// registered as "ai.onnx.ml:<op>" (the domain-qualified names
// shape_inference.cc looks up for nodes of that domain).  Attribute
// consistency (tree structure, list lengths) is checked by the kernels'
// support checks; these only derive types and shapes.
#include <algorithm>

#include "passes/infer_ctx.h"

namespace rnpu::passes {

namespace {

// The ml ops read X as [N, F] or one row [F]: N, or unknown.
Dim rows(InferCtx& c) {
  if (!c.rank_known(0)) return Dim{};
  const Shape& s = c.shape(0);
  c.check(s.rank() == 1 || s.rank() == 2, ErrorCode::kShapeMismatch,
          "X must be [N, F] or [F], got " + s.str());
  return s.rank() == 1 ? dim(1) : s.dims[0];
}

int64_t features(InferCtx& c) {
  if (!c.rank_known(0) || c.rank(0) < 1) return -1;
  return c.shape(0).dims.back().value;
}

void float_same_shape(InferCtx& c) {
  c.out(0, DType::kFloat32, c.shape(0));
}

void same_as_x(InferCtx& c) {
  c.out(0, c.dt(0), c.shape(0));
}

void array_feature_extractor(InferCtx& c) {
  if (!c.rank_known(0) || c.rank(0) < 1) {
    c.out(0, c.dt(0), Shape::unknown_rank());
    return;
  }
  const Shape& x = c.shape(0);
  Dim k = c.has(1) && c.shape(1).is_static() ? dim(*c.shape(1).numel()) : Dim{};
  std::vector<Dim> d =
      x.rank() == 1 ? std::vector<Dim>{dim(1)} : std::vector<Dim>(x.dims.begin(), x.dims.end() - 1);
  d.push_back(k);
  c.out(0, c.dt(0), ranked(std::move(d)));
}

void one_hot_encoder(InferCtx& c) {
  size_t n = std::max(
      c.attrs().get_ints("cats_int64s").size(),
      c.attrs().find("cats_strings") ? c.attrs().find("cats_strings")->strings.size() : size_t(0));
  if (!c.rank_known(0)) {
    c.out(0, DType::kFloat32, Shape::unknown_rank());
    return;
  }
  std::vector<Dim> d = c.shape(0).dims;
  d.push_back(dim(int64_t(n)));
  c.out(0, DType::kFloat32, ranked(std::move(d)));
}

void label_encoder(InferCtx& c) {
  DType t = DType::kUndefined;
  if (c.attrs().has("values_int64s")) t = DType::kInt64;
  if (c.attrs().has("values_floats")) t = DType::kFloat32;
  if (const ir::Attribute* v = c.attrs().find("values_tensor"); v && v->t) t = v->t->dtype;
  if (t == DType::kUndefined) return;  // string forms: refused by the kernels
  c.out(0, t, c.shape(0));
}

void linear_regressor(InferCtx& c) {
  c.out(0, DType::kFloat32, ranked({rows(c), dim(c.attrs().get_int("targets", 1))}));
}

// Classifier labels: classlabels_strings makes output 0 a string tensor.
size_t string_labels(InferCtx& c) {
  const ir::Attribute* a = c.attrs().find("classlabels_strings");
  return a ? a->strings.size() : 0;
}

void linear_classifier(InferCtx& c) {
  Dim n = rows(c);
  int64_t f = features(c), k = -1;
  size_t coef = c.attrs().get_floats("coefficients").size();
  size_t labels = std::max(c.attrs().get_ints("classlabels_ints").size(), string_labels(c));
  if (f > 0 && coef % size_t(f) == 0) k = int64_t(coef) / f;
  if (k == 1 && labels == 2) k = 2;  // one score row for two classes: [-s, s]
  c.out(0, string_labels(c) ? DType::kString : DType::kInt64, ranked({n}));
  c.out(1, DType::kFloat32, ranked({n, dim(k)}));
}

void tree_ensemble(InferCtx& c) {
  c.out(0, c.dt(0), ranked({rows(c), dim(c.attrs().get_int("n_targets", -1))}));
}

void tree_regressor(InferCtx& c) {
  c.out(0, DType::kFloat32, ranked({rows(c), dim(c.attrs().get_int("n_targets", -1))}));
}

void tree_classifier(InferCtx& c) {
  Dim n = rows(c);
  size_t classes = std::max(c.attrs().get_ints("classlabels_int64s").size(), string_labels(c));
  c.out(0, string_labels(c) ? DType::kString : DType::kInt64, ranked({n}));
  c.out(1, DType::kFloat32, ranked({n, dim(classes ? int64_t(classes) : -1)}));
}

}  // namespace

void register_ml_shape_fns(std::unordered_map<std::string, ShapeFn>& m) {
  const std::string ml = "ai.onnx.ml:";
  m[ml + "Binarizer"] = same_as_x;
  m[ml + "Imputer"] = same_as_x;
  m[ml + "Scaler"] = float_same_shape;
  m[ml + "Normalizer"] = float_same_shape;
  m[ml + "ArrayFeatureExtractor"] = array_feature_extractor;
  m[ml + "OneHotEncoder"] = one_hot_encoder;
  m[ml + "LabelEncoder"] = label_encoder;
  m[ml + "LinearRegressor"] = linear_regressor;
  m[ml + "LinearClassifier"] = linear_classifier;
  m[ml + "TreeEnsemble"] = tree_ensemble;
  m[ml + "TreeEnsembleRegressor"] = tree_regressor;
  m[ml + "TreeEnsembleClassifier"] = tree_classifier;
}

}  // namespace rnpu::passes
