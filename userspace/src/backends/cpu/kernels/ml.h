// Shared pieces of the ai.onnx.ml kernels (ml_*.cc): registry names, the
// score transforms of the classifiers and regressors, and attribute readers
// for the forms the ml operators use (string lists, lists that may come as
// `<name>_as_tensor`).
#pragma once

#include <string>
#include <vector>

#include "kernel.h"

namespace rnpu::cpu {

inline constexpr const char* kMlDomain = "ai.onnx.ml";

// Registry name of an ai.onnx.ml op (kernel_key with the ml domain).
inline std::string ml_key(const char* op) {
  return kernel_key(kMlDomain, op);
}

void register_ml_tree(KernelRegistry& r);
void register_ml_linear(KernelRegistry& r);
void register_ml_preprocess(KernelRegistry& r);
void register_ml_label_encoder(KernelRegistry& r);

// post_transform of classifiers and regressors: a string in the classic ops,
// an int (same order) in TreeEnsemble-5.
enum class PostTransform { kNone, kSoftmax, kLogistic, kSoftmaxZero, kProbit };
// Reads `post_transform` (absent: NONE); an unknown name or number fails.
PostTransform read_post_transform(const Attrs& a, const char* op);
// Applies the transform to one row of scores in place.
void apply_post_transform(PostTransform p, double* row, int64_t n);

// A list-of-strings attribute; empty when absent, fails for another kind.
std::vector<std::string> attr_strings(const Attrs& a, const std::string& name);
// A float list attribute `name`, or its `<name>_as_tensor` form (float or
// double tensor, any shape), widened to double; `present` says whether
// either was given.  Both at once fail.
std::vector<double> attr_doubles(const Attrs& a, const std::string& name, bool* present = nullptr);

// X as [rows, features]: a 1-D X is one row, a 2-D X is [N, F]; other
// ranks fail (the ml ops are defined on feature vectors).
struct Rows {
  int64_t rows = 0, features = 0;
};
Rows ml_rows(const Tensor& x, const char* op);

// The classifiers' scoring (TreeEnsembleClassifier, LinearClassifier),
// shared by their int64-label kernels and the string-label steps of the
// string op layer (string_ml.cc), which only map winners to strings:
// scores after post_transform, and per row the index of the winning label
// (-1: a single score below its threshold, LinearClassifier's "no").
struct ClassScores {
  int64_t rows = 0, classes = 0;
  std::vector<double> scores;   // [rows, classes]
  std::vector<int64_t> winner;  // [rows]
};
ClassScores tree_classifier_scores(const Attrs& a, const Tensor& x);
ClassScores linear_classifier_scores(const Attrs& a, const Tensor& x);
// Their load-time checks for X of type x_type (empty: fine); may also fail.
std::string tree_classifier_problem(const Attrs& a, DType x_type);
std::string linear_classifier_problem(const Attrs& a, DType x_type);

// Fails with "<op>: <what> has <got> entries, <want> expected (<why>)".
void check_len(const char* op, const char* what, size_t got, size_t want, const char* why);

}  // namespace rnpu::cpu
