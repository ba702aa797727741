// The string forms of the ai.onnx.ml classifiers and OneHotEncoder.
// TreeEnsembleClassifier / LinearClassifier with classlabels_strings score
// with the registry kernels' own code (kernels/ml.h *_classifier_scores on
// a byte view of X) and only map the winning label index to its string
// here, so there is one implementation of the scoring.  OneHotEncoder with
// cats_strings reads a string X, which the byte kernels cannot hold.
#include <algorithm>
#include <unordered_map>

#include "convert.h"
#include "kernels/ml.h"
#include "string_run.h"

namespace rnpu::cpu::str {

namespace {

using ir::DType;

// Scores to output 1 (float, as the int64-label kernels give them), winners
// mapped to `labels` to output 0.
void classifier_outputs(Run& r, const ClassScores& cs, const std::vector<std::string>& labels) {
  ir::Strings y(size_t(cs.rows));
  for (int64_t i = 0; i < cs.rows; ++i) {
    int64_t w = cs.winner[size_t(i)];
    // A single score's "no" has no label of its own (the int64 form
    // gives 0); refused rather than inventing one.
    if (w < 0 || size_t(w) >= labels.size())
      fail("row " + std::to_string(i) + " selects no label of classlabels_strings (" +
           std::to_string(labels.size()) + " labels, " + std::to_string(cs.classes) + " scores)");
    y[size_t(i)] = labels[size_t(w)];
  }
  r.out_strings(0, {cs.rows}, std::move(y));
  if (float* s = static_cast<float*>(r.out_tensor(1, DType::kFloat32, {cs.rows, cs.classes})))
    for (size_t k = 0; k < cs.scores.size(); ++k) s[k] = float(cs.scores[k]);
}

}  // namespace

void tree_classifier_strings(Run& r) {
  const Attrs& a = r.step().attrs;
  ClassScores cs = tree_classifier_scores(a, host_view(r.in(0)));
  classifier_outputs(r, cs, attr_strings(a, "classlabels_strings"));
}

void linear_classifier_strings(Run& r) {
  const Attrs& a = r.step().attrs;
  ClassScores cs = linear_classifier_scores(a, host_view(r.in(0)));
  classifier_outputs(r, cs, attr_strings(a, "classlabels_strings"));
}

void one_hot_encoder_strings(Run& r) {
  const ir::Strings& cats = r.attrs().find("cats_strings")->strings;
  std::unordered_map<std::string, size_t> index;
  // Repeated categories are refused at load (ml_string_check), so each
  // string has one position.
  for (size_t k = 0; k < cats.size(); ++k) index.emplace(cats[k], k);
  const bool zeros = !r.attrs().has("zeros") || r.attrs().find("zeros")->i != 0;
  const ir::Strings& x = r.strings(0);
  std::vector<int64_t> shape = r.in(0).shape;
  shape.push_back(int64_t(cats.size()));
  float* y = static_cast<float*>(r.out_tensor(0, DType::kFloat32, shape));
  if (!y) return;
  std::fill(y, y + x.size() * cats.size(), 0.f);
  for (size_t i = 0; i < x.size(); ++i) {
    auto it = index.find(x[i]);
    if (it != index.end())
      y[i * cats.size() + it->second] = 1.f;
    else if (!zeros)  // zeros=0 asks that every value be a known category
      fail("element " + std::to_string(i) + " '" + x[i] +
           "' is not in cats_strings and zeros is 0");
  }
}

std::string ml_string_check(const ir::Graph& g, const ir::Node& n) {
  auto dt = [&](const std::vector<ir::ValueId>& l, size_t i) {
    return i < l.size() && l[i] != ir::kNoValue ? g.value(l[i]).dtype : DType::kUndefined;
  };
  const ir::Attribute* names =
      n.attrs.find(n.op == "OneHotEncoder" ? "cats_strings" : "classlabels_strings");
  if (n.op == "OneHotEncoder") {
    if (dt(n.inputs, 0) != DType::kString) return "OneHotEncoder: cats_strings needs a string X";
    if (!names || names->strings.empty()) return "OneHotEncoder: string X needs cats_strings";
    if (n.attrs.has("cats_int64s") && !n.attrs.find("cats_int64s")->ints.empty())
      return "OneHotEncoder: cats_int64s and cats_strings both given";
    std::unordered_map<std::string, size_t> seen;
    for (const std::string& c : names->strings)
      if (!seen.emplace(c, 0).second) return "OneHotEncoder: cats_strings repeats '" + c + "'";
    return "";
  }
  if (n.op != "TreeEnsembleClassifier" && n.op != "LinearClassifier")
    return n.op + " on string tensors unsupported";
  if (!names || names->strings.empty())
    return n.op + ": a string label output needs classlabels_strings";
  if (dt(n.outputs, 0) != DType::kString)
    return n.op + ": classlabels_strings gives string labels, output 0 is not a string tensor";
  if (dt(n.inputs, 0) == DType::kString) return n.op + ": X must be numeric, not strings";
  if (n.op == "LinearClassifier" && names->strings.size() < 2)
    return "LinearClassifier with a single string label is not supported (a 'no' has no label)";
  std::string bad;
  Attrs a = to_cpu_attrs(n.attrs, &bad);
  if (!bad.empty()) return bad + " unsupported";
  cpu::DType x = to_cpu(dt(n.inputs, 0));
  try {
    return n.op == "LinearClassifier" ? linear_classifier_problem(a, x)
                                      : tree_classifier_problem(a, x);
  } catch (const KernelError& e) {
    return e.what();
  }
}

}  // namespace rnpu::cpu::str
