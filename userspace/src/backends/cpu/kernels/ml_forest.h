// A validated, flat form of a tree ensemble, built from either encoding the
// ai.onnx.ml operators use:
//  - TreeEnsemble (ml opset 5): nodes_* are interior nodes addressed by
//    position, branches point at nodes or at leaf_* entries, tree_roots
//    lists the roots;
//  - TreeEnsembleClassifier/Regressor (ml opset 1/3): nodes_* are addressed
//    by (tree id, node id) with mode LEAF for leaves, and the weights of a
//    leaf are the class_* / target_* entries naming it.
// Building checks every list length, every index and that no tree has a
// cycle, so evaluating never reads out of bounds and every walk ends.
#pragma once

#include <cstdint>
#include <vector>

#include "kernel.h"

namespace rnpu::cpu {

struct Forest {
  enum class Mode : uint8_t { kLeq, kLt, kGte, kGt, kEq, kNeq, kMember };
  enum class Aggregate { kAverage, kSum, kMin, kMax };
  // A branch target: >= 0 an interior node, < 0 the leaf ~ref.
  using Ref = int64_t;
  struct Node {
    int64_t feature = 0;
    double split = 0;                          // in the input's precision
    int64_t member_begin = 0, member_end = 0;  // into members (kMember)
    Ref on_true = 0, on_false = 0;
    Mode mode = Mode::kLeq;
    bool missing_true = false;  // a NaN feature takes the true branch
  };
  struct Vote {
    int64_t target = 0;
    double weight = 0;
  };
  struct Leaf {
    int64_t begin = 0, end = 0;  // into votes
  };
  std::vector<Node> nodes;
  std::vector<double> members;
  std::vector<Leaf> leaves;
  std::vector<Vote> votes;
  std::vector<Ref> roots;
  int64_t n_targets = 0;
  int64_t min_features = 0;  // 1 + the largest feature id a node reads
  Aggregate aggregate = Aggregate::kSum;
  std::vector<double> base_values;  // empty, one, or one per target
};

// `op` names the operator in messages.  x_type is the element type the
// thresholds are compared in (float32 rounds them, as the kernels of the
// reference do); kF64 keeps them exact.
Forest forest_from_tree_ensemble(const Attrs& a, DType x_type);
// classifier: class_* attributes and classlabels_* (n_targets = number of
// labels); else target_* and n_targets.
Forest forest_from_legacy(const Attrs& a, bool classifier, DType x_type, const char* op);

// out[r * n_targets + t] for `rows` rows of `features` features (x is
// row-major); fails when a tree reads a feature X does not have.
void forest_predict(const Forest& f, const double* x, int64_t rows, int64_t features, double* out,
                    const char* op);

}  // namespace rnpu::cpu
