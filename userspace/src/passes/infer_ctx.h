// The context a per-op shape function works in (shape_inference.cc and the
// shape_fns_*.cc files that register functions).
#pragma once

#include <climits>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/graph.h"

namespace rnpu::passes {

// The vocabulary of every shape function (shape_fns*.cc).
using ir::Dim;
using ir::DType;
using ir::Shape;
constexpr auto kShape = ErrorCode::kShapeMismatch;  // inputs that do not fit the op
constexpr auto kBad = ErrorCode::kMalformedModel;   // attributes the op forbids

// Marks an unknown element in a partially known integer vector.
constexpr int64_t kUnknownInt = INT64_MIN;

// Shape arithmetic that cannot overflow: a op b for op '+', '-' or '*';
// nullopt when the result does not fit int64.  Dims are at most
// ir::kMaxElements (InferCtx::out checks every output), but attributes and
// constants are any int64, so every product or sum involving them goes
// through here (or InferCtx::arith).
inline std::optional<int64_t> checked_arith(char op, int64_t a, int64_t b) {
  int64_t r = 0;
  bool overflow = op == '+'   ? __builtin_add_overflow(a, b, &r)
                  : op == '-' ? __builtin_sub_overflow(a, b, &r)
                              : __builtin_mul_overflow(a, b, &r);
  if (overflow) return std::nullopt;
  return r;
}

class InferCtx {
 public:
  InferCtx(ir::Graph& g, const ir::Node& n,
           std::unordered_map<ir::ValueId, std::vector<int64_t>>& known)
      : g_(g), n_(n), known_(known) {}

  const ir::Node& node() const { return n_; }
  const ir::Attributes& attrs() const { return n_.attrs; }
  int opset() const { return n_.opset; }
  size_t num_inputs() const { return n_.inputs.size(); }
  size_t num_outputs() const { return n_.outputs.size(); }
  bool has(size_t i) const { return i < n_.inputs.size() && n_.inputs[i] != ir::kNoValue; }
  bool has_out(size_t i) const { return i < n_.outputs.size() && n_.outputs[i] != ir::kNoValue; }

  const ir::Value& in(size_t i) const;  // throws kMalformedModel if absent
  ir::DType dt(size_t i) const { return in(i).dtype; }
  const ir::Shape& shape(size_t i) const { return in(i).shape; }
  bool rank_known(size_t i) const { return has(i) && in(i).shape.has_rank; }
  int64_t rank(size_t i) const { return int64_t(in(i).shape.rank()); }
  // Values of an integer input that is constant or derived from shapes;
  // nullptr when unknown.  Entries may be kUnknownInt.
  const std::vector<int64_t>* ints(size_t i) const;
  // Fully known integer input (no kUnknownInt entries).
  std::optional<std::vector<int64_t>> known_ints(size_t i) const;
  // Scalar float value of a constant input.
  std::optional<double> const_scalar(size_t i) const;
  const ir::ConstTensor* constant(size_t i) const;

  ir::ValueKind kind(size_t i) const { return in(i).kind; }
  // A tensor output (every shape function but the kind-aware ones).
  void out(size_t i, ir::DType t, ir::Shape s);
  // An output of any kind (sequence and optional ops, Identity).
  void out_value(size_t i, ir::ValueKind k, ir::DType t, ir::Shape s);
  void out_ints(size_t i, std::vector<int64_t> v);  // also records known values

  // checked_arith, failing (kMalformedModel, naming the node and `what`)
  // on overflow.
  int64_t arith(char op, int64_t a, int64_t b, const char* what) const;
  // Fails unless `r` (a rank, or the length of a shape vector about to size
  // one) is at most ir::kMaxRank.
  void check_rank(uint64_t r, const char* what) const;

  // Normalises a possibly negative axis against rank r; throws if outside.
  int64_t axis(int64_t a, int64_t r, const char* what = "axis") const;
  [[noreturn]] void fail(ErrorCode c, const std::string& why) const;
  void check(bool cond, ErrorCode c, const std::string& why) const {
    if (!cond) fail(c, why);
  }

 private:
  ir::Graph& g_;
  const ir::Node& n_;
  std::unordered_map<ir::ValueId, std::vector<int64_t>>& known_;
};

using ShapeFn = void (*)(InferCtx&);

// Dimension helpers: arithmetic propagating unknown (-1).
inline ir::Dim dim(int64_t v) {
  return ir::Dim{v < 0 ? -1 : v, {}};
}
inline ir::Shape ranked(std::vector<ir::Dim> d) {
  ir::Shape s;
  s.has_rank = true;
  s.dims = std::move(d);
  return s;
}

void register_shape_fns(std::unordered_map<std::string, ShapeFn>& m);
void register_nn_shape_fns(std::unordered_map<std::string, ShapeFn>& m);
void register_opset18_20_shape_fns(std::unordered_map<std::string, ShapeFn>& m);
void register_control_flow_shape_fns(std::unordered_map<std::string, ShapeFn>& m);
// Sequence and optional ops (shape_fns_seq.cc).
void register_sequence_shape_fns(std::unordered_map<std::string, ShapeFn>& m);
// Ops whose inputs may be sequences or optionals; every other op with a
// shape function takes tensors only.
bool kind_aware_op(const std::string& op);
// ai.onnx.ml ops, keyed "ai.onnx.ml:<op>" (shape_fns_ml.cc).
void register_ml_shape_fns(std::unordered_map<std::string, ShapeFn>& m);

}  // namespace rnpu::passes
