// ai.onnx.ml feature preprocessing: Scaler, Normalizer, Binarizer,
// Imputer, ArrayFeatureExtractor and OneHotEncoder (numeric categories;
// cats_strings on a string X runs as a string step, string_ml.cc).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ml.h"

namespace rnpu::cpu {
namespace {

bool numeric_x(DType t) {
  return t == DType::kF32 || t == DType::kF64 || t == DType::kI64 || t == DType::kI32;
}

std::string numeric_check(const NodeInfo& n, const char* op) {
  if (!n.input_types.empty() && !numeric_x(n.input_types[0]))
    return std::string(op) + ": X must be float, double, int64 or int32, not " +
           dtype_name(n.input_types[0]);
  return "";
}

// Length of the last axis (1 for a scalar): per-feature attributes are
// indexed by it.
int64_t last_dim(const Tensor& x) {
  return x.rank() == 0 ? 1 : x.shape.back();
}

// A per-feature list: one value for every feature, or one shared by all.
void check_per_feature(const char* op, const char* what, size_t got, int64_t features) {
  if (got != 1 && int64_t(got) != features)
    fail(std::string(op) + ": " + what + " has " + std::to_string(got) + " entries, 1 or " +
         std::to_string(features) + " (one per feature) expected");
}

void k_scaler(KernelContext& c) {
  const Tensor& x = c.in(0);
  std::vector<float> offset = c.attrs().get_floats("offset", {0.f});
  std::vector<float> scale = c.attrs().get_floats("scale", {1.f});
  int64_t f = last_dim(x);
  check_per_feature("Scaler", "offset", offset.size(), f);
  check_per_feature("Scaler", "scale", scale.size(), f);
  std::vector<double> v = tensor_to_doubles(x);
  Tensor& y = c.out(0, DType::kF32, x.shape);
  for (size_t i = 0; i < v.size(); ++i) {
    size_t j = size_t(int64_t(i) % f);
    double o = offset[offset.size() == 1 ? 0 : j], s = scale[scale.size() == 1 ? 0 : j];
    y.as<float>()[i] = float((v[i] - o) * s);
  }
}

void k_normalizer(KernelContext& c) {
  const Tensor& x = c.in(0);
  std::string norm = c.attrs().get_string("norm", "");
  if (norm != "MAX" && norm != "L1" && norm != "L2")
    fail("Normalizer: norm '" + norm + "' is not MAX, L1 or L2");
  Rows rw = ml_rows(x, "Normalizer");
  std::vector<double> v = tensor_to_doubles(x);
  Tensor& y = c.out(0, DType::kF32, x.shape);
  for (int64_t r = 0; r < rw.rows; ++r) {
    const double* row = &v[size_t(r * rw.features)];
    double d = 0;
    for (int64_t i = 0; i < rw.features; ++i)
      d = norm == "MAX"  ? std::max(d, std::abs(row[i]))
          : norm == "L1" ? d + std::abs(row[i])
                         : d + row[i] * row[i];
    if (norm == "L2") d = std::sqrt(d);
    d = std::max(d, 1e-30);  // an all-zero row stays zero instead of NaN
    for (int64_t i = 0; i < rw.features; ++i)
      y.as<float>()[r * rw.features + i] = float(row[i] / d);
  }
}

std::string check_normalizer(const NodeInfo& n) {
  std::string norm = n.attrs.get_string("norm", "");
  if (norm != "MAX" && norm != "L1" && norm != "L2")
    return "Normalizer: norm '" + norm + "' is not MAX, L1 or L2";
  return numeric_check(n, "Normalizer");
}

void k_binarizer(KernelContext& c) {
  const Tensor& x = c.in(0);
  double th = c.attrs().get_float("threshold", 0.f);
  Tensor& y = c.out(0, x.dtype, x.shape);
  dispatch<kFloatTypes | kSignedTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = x.as<T>();
    T* d = y.as<T>();
    for (int64_t i = 0; i < x.numel(); ++i) d[i] = double(s[i]) > th ? T(1) : T(0);
  });
}

// Replaces missing values (NaN, or replaced_value_*) by the imputed value of
// their feature.
void k_imputer(KernelContext& c) {
  const Tensor& x = c.in(0);
  bool fl = x.dtype == DType::kF32 || x.dtype == DType::kF64;
  std::vector<double> values;
  if (fl) {
    std::vector<float> f = c.attrs().get_floats("imputed_value_floats");
    values.assign(f.begin(), f.end());
  } else {
    std::vector<int64_t> i = c.attrs().get_ints("imputed_value_int64s");
    values.assign(i.begin(), i.end());
  }
  if (values.empty())
    fail(std::string("Imputer: ") + (fl ? "imputed_value_floats" : "imputed_value_int64s") +
         " is required for " + dtype_name(x.dtype) + " input");
  int64_t f = last_dim(x);
  check_per_feature("Imputer", fl ? "imputed_value_floats" : "imputed_value_int64s", values.size(),
                    f);
  double rep = fl ? double(c.attrs().get_float("replaced_value_float", 0.f))
                  : double(c.attrs().get_int("replaced_value_int64", 0));
  Tensor& y = c.out(0, x.dtype, x.shape);
  dispatch<kFloatTypes | kSignedTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = x.as<T>();
    T* d = y.as<T>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      double v = double(s[i]);
      bool missing = std::isnan(rep) ? std::isnan(v) : v == rep;
      d[i] = missing ? T(values[values.size() == 1 ? 0 : size_t(i % f)]) : s[i];
    }
  });
}

// Y[..., k] = X[..., indices[k]] over the last axis; a 1-D X gives one row.
void k_array_feature_extractor(KernelContext& c) {
  const Tensor& x = c.in(0);
  std::vector<int64_t> idx = tensor_to_ints(c.in(1));
  if (x.rank() == 0) fail("ArrayFeatureExtractor: X must have at least one axis");
  int64_t f = x.shape.back();
  for (size_t k = 0; k < idx.size(); ++k)
    if (idx[k] < 0 || idx[k] >= f)
      fail("ArrayFeatureExtractor: index " + std::to_string(idx[k]) +
           " is out of range for the last axis of size " + std::to_string(f));
  Shape os = x.rank() == 1 ? Shape{1} : Shape(x.shape.begin(), x.shape.end() - 1);
  int64_t rows = shape_numel(os);
  os.push_back(int64_t(idx.size()));
  Tensor& y = c.out(0, x.dtype, os);
  size_t es = dtype_size(x.dtype);
  const auto* src = static_cast<const uint8_t*>(x.data);
  auto* dst = static_cast<uint8_t*>(y.data);
  for (int64_t r = 0; r < rows; ++r)
    for (size_t k = 0; k < idx.size(); ++k)
      std::memcpy(dst + (size_t(r) * idx.size() + k) * es, src + size_t(r * f + idx[k]) * es, es);
}

std::string check_array_feature_extractor(const NodeInfo& n) {
  if (n.input_types.size() > 1 && n.input_types[1] != DType::kI64)
    return "ArrayFeatureExtractor: indices must be int64";
  return numeric_check(n, "ArrayFeatureExtractor");
}

// Y = X's shape + [categories], 1 where X equals the category.
void k_one_hot_encoder(KernelContext& c) {
  const Tensor& x = c.in(0);
  std::vector<int64_t> cats = c.attrs().get_ints("cats_int64s");
  if (cats.empty()) fail("OneHotEncoder: cats_int64s is required");
  bool zeros = c.attrs().get_int("zeros", 1) != 0;
  std::vector<double> v = tensor_to_doubles(x);
  Shape os = x.shape;
  os.push_back(int64_t(cats.size()));
  Tensor& y = c.out(0, DType::kF32, os);
  for (size_t i = 0; i < v.size(); ++i) {
    bool hit = false;
    for (size_t k = 0; k < cats.size(); ++k)
      if (v[i] == double(cats[k])) {
        y.as<float>()[i * cats.size() + k] = 1.f;
        hit = true;
      }
    // zeros=0 asks that every value be a known category.
    if (!hit && !zeros)
      fail("OneHotEncoder: value " + std::to_string(v[i]) +
           " is not in cats_int64s and zeros is 0");
  }
}

std::string check_one_hot_encoder(const NodeInfo& n) {
  if (!attr_strings(n.attrs, "cats_strings").empty())
    return "OneHotEncoder: cats_strings needs a string X";
  if (n.attrs.get_ints("cats_int64s").empty()) return "OneHotEncoder: cats_int64s is required";
  return numeric_check(n, "OneHotEncoder");
}

std::string check_scaler(const NodeInfo& n) {
  return numeric_check(n, "Scaler");
}
std::string check_binarizer(const NodeInfo& n) {
  return numeric_check(n, "Binarizer");
}
std::string check_imputer(const NodeInfo& n) {
  return numeric_check(n, "Imputer");
}

}  // namespace

void register_ml_preprocess(KernelRegistry& r) {
  constexpr unsigned t = kFloatTypes | kSignedTypes;
  r.add({ml_key("Scaler"), k_scaler, t, check_scaler});
  r.add({ml_key("Normalizer"), k_normalizer, t, check_normalizer});
  r.add({ml_key("Binarizer"), k_binarizer, t, check_binarizer});
  r.add({ml_key("Imputer"), k_imputer, t, check_imputer});
  r.add({ml_key("ArrayFeatureExtractor"), k_array_feature_extractor, t,
         check_array_feature_extractor});
  r.add({ml_key("OneHotEncoder"), k_one_hot_encoder, t, check_one_hot_encoder});
}

}  // namespace rnpu::cpu
