// Registration of the ai.onnx.ml kernels and the helpers they share (ml.h).
#include <cmath>
#include <limits>

#include "ml.h"

namespace rnpu::cpu {

void register_ml(KernelRegistry& r) {
  register_ml_tree(r);
  register_ml_linear(r);
  register_ml_preprocess(r);
  register_ml_label_encoder(r);
}

PostTransform read_post_transform(const Attrs& a, const char* op) {
  const Attr* p = a.find("post_transform");
  if (!p) return PostTransform::kNone;
  static const char* const names[] = {"NONE", "SOFTMAX", "LOGISTIC", "SOFTMAX_ZERO", "PROBIT"};
  if (p->kind == Attr::Kind::kInt) {
    if (p->i < 0 || p->i > 4)
      fail(std::string(op) + ": post_transform " + std::to_string(p->i) +
           " is not one of NONE (0), SOFTMAX (1), LOGISTIC (2), SOFTMAX_ZERO (3), PROBIT (4)");
    return PostTransform(p->i);
  }
  if (p->kind != Attr::Kind::kString) fail(std::string(op) + ": post_transform must be a string");
  for (int i = 0; i < 5; ++i)
    if (p->s == names[i]) return PostTransform(i);
  fail(std::string(op) + ": post_transform '" + p->s +
       "' is not one of NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO, PROBIT");
}

namespace {

double logistic(double v) {
  // exp of a negative argument only, so large |v| neither overflows nor
  // loses the small side's precision.
  double e = std::exp(-std::abs(v));
  return v >= 0 ? 1 / (1 + e) : e / (1 + e);
}

// sqrt(2) * erfinv(2p - 1) with the closed-form erfinv approximation
// (Winitzki, a = 0.147) that the ONNX reference and ONNX Runtime use, so
// PROBIT scores agree with theirs rather than with an exact inverse.
double probit(double p) {
  double x = 2 * p - 1;
  double sgn = x < 0 ? -1 : 1;
  double w = (1 - x) * (1 + x);
  if (w <= 0) return sgn * std::numeric_limits<double>::infinity();
  constexpr double a = 0.147, pi = 3.14159265358979323846;
  double l = std::log(w);
  double t = 2 / (pi * a) + l / 2;
  return std::sqrt(2.0) * sgn * std::sqrt(std::sqrt(t * t - l / a) - t);
}

}  // namespace

void apply_post_transform(PostTransform p, double* row, int64_t n) {
  if (n <= 0) return;
  switch (p) {
    case PostTransform::kNone:
      return;
    case PostTransform::kLogistic:
      for (int64_t i = 0; i < n; ++i) row[i] = logistic(row[i]);
      return;
    case PostTransform::kProbit:
      for (int64_t i = 0; i < n; ++i) row[i] = probit(row[i]);
      return;
    case PostTransform::kSoftmax: {
      double m = row[0], s = 0;
      for (int64_t i = 1; i < n; ++i) m = std::max(m, row[i]);
      for (int64_t i = 0; i < n; ++i) s += row[i] = std::exp(row[i] - m);
      for (int64_t i = 0; i < n; ++i) row[i] /= s;
      return;
    }
    case PostTransform::kSoftmaxZero: {
      // Softmax over the non-zero scores; zeros (no tree voted for the
      // class) stay zero.  All zero: uniform 0.5, as the reference does.
      double m = row[0], s = 0;
      for (int64_t i = 1; i < n; ++i) m = std::max(m, row[i]);
      double e = std::exp(-m);
      for (int64_t i = 0; i < n; ++i) {
        row[i] = std::abs(row[i]) > 1e-7 ? std::exp(row[i] - m) : row[i] * e;
        s += row[i];
      }
      for (int64_t i = 0; i < n; ++i) row[i] = s == 0 ? 0.5 : row[i] / s;
      return;
    }
  }
}

std::vector<std::string> attr_strings(const Attrs& a, const std::string& name) {
  const Attr* p = a.find(name);
  if (!p) return {};
  if (p->kind != Attr::Kind::kStrings) fail("attribute '" + name + "' must be a list of strings");
  return p->strings;
}

std::vector<double> attr_doubles(const Attrs& a, const std::string& name, bool* present) {
  const Attr* list = a.find(name);
  const Attr* tensor = a.find(name + "_as_tensor");
  if (present) *present = list || tensor;
  if (list && tensor) fail("attributes '" + name + "' and '" + name + "_as_tensor' are both set");
  if (tensor) {
    if (tensor->kind != Attr::Kind::kTensor)
      fail("attribute '" + name + "_as_tensor' must be a tensor");
    if (tensor->t.dtype != DType::kF32 && tensor->t.dtype != DType::kF64)
      fail("attribute '" + name + "_as_tensor' must be a float or double tensor, not " +
           dtype_name(tensor->t.dtype));
    return tensor_to_doubles(tensor->t);
  }
  std::vector<float> f = a.get_floats(name);
  return std::vector<double>(f.begin(), f.end());
}

Rows ml_rows(const Tensor& x, const char* op) {
  if (x.rank() == 1) return {1, x.shape[0]};
  if (x.rank() == 2) return {x.shape[0], x.shape[1]};
  fail(std::string(op) + ": X must be [N, F] or [F], got " + shape_str(x.shape));
}

void check_len(const char* op, const char* what, size_t got, size_t want, const char* why) {
  if (got != want)
    fail(std::string(op) + ": " + what + " has " + std::to_string(got) + " entries, " +
         std::to_string(want) + " expected (" + why + ")");
}

}  // namespace rnpu::cpu
