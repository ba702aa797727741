#include "passes/shape_inference.h"

#include <array>
#include <cmath>
#include <mutex>

#include "ir/sequence.h"
#include "passes/infer_ctx.h"

namespace rnpu::passes {

using ir::DType;
using ir::Shape;

const ir::Value& InferCtx::in(size_t i) const {
  if (!has(i))
    fail(ErrorCode::kMalformedModel, "required input " + std::to_string(i) + " is missing");
  return g_.value(n_.inputs[i]);
}

const ir::ConstTensor* InferCtx::constant(size_t i) const {
  return has(i) ? g_.value(n_.inputs[i]).constant.get() : nullptr;
}

const std::vector<int64_t>* InferCtx::ints(size_t i) const {
  if (!has(i)) return nullptr;
  auto it = known_.find(n_.inputs[i]);
  return it == known_.end() ? nullptr : &it->second;
}

std::optional<std::vector<int64_t>> InferCtx::known_ints(size_t i) const {
  const auto* v = ints(i);
  if (!v) return std::nullopt;
  for (int64_t x : *v)
    if (x == kUnknownInt) return std::nullopt;
  return *v;
}

std::optional<double> InferCtx::const_scalar(size_t i) const {
  const ir::ConstTensor* c = constant(i);
  if (!c || c->numel() != 1) return std::nullopt;
  if (!ir::dtype_is_float(c->dtype) && !ir::dtype_is_int(c->dtype)) return std::nullopt;
  if (c->dtype == DType::kFloat16 || c->dtype == DType::kBFloat16) return std::nullopt;
  return c->get_double(0);
}

void InferCtx::out(size_t i, DType t, Shape s) {
  out_value(i, ir::ValueKind::kTensor, t, std::move(s));
}

void InferCtx::out_value(size_t i, ir::ValueKind k, DType t, Shape s) {
  if (!has_out(i)) return;
  if (s.has_rank) {
    if (int64_t(s.rank()) > ir::kMaxRank)
      fail(ErrorCode::kMalformedModel, "output rank " + std::to_string(s.rank()) + " is too large");
    for (const ir::Dim& d : s.dims)
      if (d.value > ir::kMaxElements)
        fail(ErrorCode::kMalformedModel,
             "output dimension " + std::to_string(d.value) + " is absurdly large");
    if (s.is_static() && !s.numel())
      fail(ErrorCode::kMalformedModel, "output shape " + s.str() + " is absurdly large");
  }
  ir::Value& v = g_.value(n_.outputs[i]);
  v.kind = k;
  v.dtype = t;
  v.shape = std::move(s);
}

void InferCtx::out_ints(size_t i, std::vector<int64_t> v) {
  if (!has_out(i)) return;
  known_[n_.outputs[i]] = std::move(v);
}

int64_t InferCtx::axis(int64_t a, int64_t r, const char* what) const {
  if (a < -r || a >= r)
    fail(ErrorCode::kMalformedModel, std::string(what) + " " + std::to_string(a) +
                                         " is out of range for rank " + std::to_string(r));
  return a < 0 ? a + r : a;
}

int64_t InferCtx::arith(char op, int64_t a, int64_t b, const char* what) const {
  auto r = checked_arith(op, a, b);
  if (!r)
    fail(ErrorCode::kMalformedModel, std::string(what) + " overflows int64 (" + std::to_string(a) +
                                         " " + op + " " + std::to_string(b) + ")");
  return *r;
}

void InferCtx::check_rank(uint64_t r, const char* what) const {
  if (r > uint64_t(ir::kMaxRank))
    fail(ErrorCode::kMalformedModel, std::string(what) + " has " + std::to_string(r) +
                                         " entries, more than the maximum rank " +
                                         std::to_string(ir::kMaxRank));
}

void InferCtx::fail(ErrorCode c, const std::string& why) const {
  ir::node_error(c, n_, why);
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const ir::Node& n) {
  if (!a.has_rank || !b.has_rank) return Shape::unknown_rank();
  size_t r = std::max(a.rank(), b.rank());
  std::vector<ir::Dim> out(r);
  for (size_t i = 0; i < r; ++i) {
    ir::Dim one{1, {}};
    const ir::Dim& x = i < r - a.rank() ? one : a.dims[i - (r - a.rank())];
    const ir::Dim& y = i < r - b.rank() ? one : b.dims[i - (r - b.rank())];
    if (x.known() && y.known()) {
      if (x.value == y.value || y.value == 1)
        out[i] = x;
      else if (x.value == 1)
        out[i] = y;
      else
        ir::node_error(ErrorCode::kShapeMismatch, n,
                       "cannot broadcast " + a.str() + " with " + b.str());
    } else if (x.known()) {
      out[i] = x.value == 1 ? y : x;
    } else if (y.known()) {
      out[i] = y.value == 1 ? x : y;
    } else {
      out[i] = (!x.symbol.empty() && x.symbol == y.symbol) ? x : ir::Dim{};
    }
  }
  return ranked(std::move(out));
}

namespace {

const std::unordered_map<std::string, ShapeFn>& table() {
  static const auto* t = [] {
    auto* m = new std::unordered_map<std::string, ShapeFn>();
    register_shape_fns(*m);
    register_nn_shape_fns(*m);
    register_opset18_20_shape_fns(*m);
    register_control_flow_shape_fns(*m);
    register_sequence_shape_fns(*m);
    register_ml_shape_fns(*m);
    return m;
  }();
  return *t;
}

// Small integer constants seed the known-value map used for shape math.
void seed_known(const ir::Graph& g, std::unordered_map<ir::ValueId, std::vector<int64_t>>& known) {
  for (size_t i = 0; i < g.values.size(); ++i) {
    const auto& c = g.values[i].constant;
    if (!c || !ir::dtype_is_int(c->dtype) || c->dims.size() > 1 || c->numel() > 64) continue;
    known[ir::ValueId(i)] = c->to_ints();
  }
}

bool is_spatial(const std::string& op) {
  return op == "Conv" || op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" ||
         op == "GlobalMaxPool";
}

// Spatial ops in NHWC: infer on the NCHW view of the activation input and
// permute the result back (weights keep their ONNX layout).
void infer_nhwc(ir::Graph& g, const ir::Node& n, InferCtx& ctx, ShapeFn fn) {
  ir::Value& x = g.value(n.inputs[0]);
  Shape saved = x.shape;
  if (x.shape.has_rank && x.shape.rank() == 4) {
    Shape nchw = x.shape;
    for (size_t i = 0; i < 4; ++i) nchw.dims[i] = saved.dims[size_t(std::array{0, 3, 1, 2}[i])];
    x.shape = nchw;
  }
  try {
    fn(ctx);
  } catch (...) {
    x.shape = saved;
    throw;
  }
  x.shape = saved;
  for (ir::ValueId o : n.outputs) {
    if (o == ir::kNoValue) continue;
    Shape& s = g.value(o).shape;
    if (!s.has_rank || s.rank() != 4) continue;
    Shape nhwc = s;
    for (size_t i = 0; i < 4; ++i) nhwc.dims[i] = s.dims[size_t(std::array{0, 2, 3, 1}[i])];
    s = nhwc;
  }
}

}  // namespace

bool has_shape_function(const std::string& op) {
  return table().count(op) != 0;
}

void infer_shapes(ir::Graph& g) {
  std::unordered_map<ir::ValueId, std::vector<int64_t>> known;
  seed_known(g, known);
  const auto& fns = table();
  for (ir::NodeId id : g.topo_order()) {
    const ir::Node& n = g.node(id);
    const bool ml = n.domain == "ai.onnx.ml";
    if (!n.domain.empty() && n.domain != "com.microsoft" && !ml) continue;
    // ml ops are registered domain-qualified so they never shadow ai.onnx ones.
    auto it = fns.find(ml ? "ai.onnx.ml:" + n.op : n.op);
    if (it == fns.end()) continue;
    InferCtx ctx(g, n, known);
    try {
      if (!kind_aware_op(n.op))
        for (size_t i = 0; i < n.inputs.size(); ++i)
          if (ctx.has(i) && ctx.kind(i) != ir::ValueKind::kTensor)
            ctx.fail(ErrorCode::kMalformedModel,
                     "input " + std::to_string(i) + " ('" + ctx.in(i).name + "') is a " +
                         ir::kind_name(ctx.kind(i)) + "; " + n.op + " takes tensors");
      if (n.layout == ir::Layout::kNHWC && is_spatial(n.op)) {
        infer_nhwc(g, n, ctx, it->second);
        continue;
      }
      it->second(ctx);
    } catch (const Error& e) {
      if (!e.node().empty()) throw;
      // Attribute getters throw without node context; add it.
      ir::node_error(e.code(), n, e.reason());
    }
  }
}

}  // namespace rnpu::passes
