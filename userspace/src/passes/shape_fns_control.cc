// Shape functions of the control-flow ops: they infer a copy of each body
// with its inputs typed from the node, and derive the node's outputs from
// the body's (If: both branches merged; Loop and Scan: carried values
// re-inferred until their per-iteration shapes are stable, scan outputs
// with the iteration axis added; SequenceMap: the body typed with one
// element of each sequence, its outputs sequences).  Sequence and optional
// kinds flow through bodies like dtypes.
#include "ir/control_flow.h"
#include "ir/sequence.h"
#include "passes/infer_ctx.h"
#include "passes/shape_inference.h"

namespace rnpu::passes {

namespace {

using ir::DType;
using ir::Shape;
using ir::ValueKind;

struct BodyIn {
  DType dt = DType::kUndefined;
  Shape shape;  // unknown rank: keep the body's declaration
  ValueKind kind = ValueKind::kTensor;
};

// The kind without its optional wrapper, and with one.
ValueKind base_kind(ValueKind k) {
  return ir::is_sequence_kind(k) ? ValueKind::kSequence : ValueKind::kTensor;
}
ValueKind optional_kind(ValueKind k) {
  return ir::is_sequence_kind(k) ? ValueKind::kOptionalSequence : ValueKind::kOptionalTensor;
}

// Inputs [first, first + count) must be tensors (Scan's, a Loop's M and
// condition, an If's condition).
void require_tensors(InferCtx& ctx, size_t first, size_t count, const char* what) {
  for (size_t i = first; i < first + count; ++i)
    if (ctx.has(i) && ctx.kind(i) != ValueKind::kTensor)
      ctx.fail(ErrorCode::kMalformedModel, std::string(what) + " (input " + std::to_string(i) +
                                               ", '" + ctx.in(i).name + "') is a " +
                                               ir::kind_name(ctx.kind(i)) + ", not a tensor");
}

void require_tensor_out(InferCtx& ctx, const ir::Value& o, const std::string& what) {
  if (o.kind != ValueKind::kTensor)
    ctx.fail(ErrorCode::kMalformedModel,
             what + " ('" + o.name + "') is a " + ir::kind_name(o.kind) + ", not a tensor");
}

// The body's output values after inferring a copy of it whose formal
// inputs are typed `formal` and whose implicit inputs are typed as the
// node's outer-scope values.
std::vector<ir::Value> infer_body(InferCtx& ctx, const std::string& attr,
                                  const std::vector<BodyIn>& formal) {
  const ir::Node& n = ctx.node();
  const ir::Graph& b = ir::body_of(n, attr);
  size_t nf = ir::formal_inputs(b);
  if (formal.size() != nf)
    ctx.fail(ErrorCode::kMalformedModel, "body '" + attr + "' has " + std::to_string(nf) +
                                             " inputs, the node gives it " +
                                             std::to_string(formal.size()));
  ir::Graph w = b;
  for (size_t i = 0; i < nf; ++i) {
    ir::Value& v = w.value(w.inputs[i]);
    if (formal[i].dt != DType::kUndefined) v.dtype = formal[i].dt;
    if (formal[i].shape.has_rank) v.shape = formal[i].shape;
    v.kind = formal[i].kind;
  }
  size_t first = ir::explicit_inputs(n);
  for (size_t k = 0; k < b.implicit_inputs; ++k) {
    const ir::Value& o = ctx.in(first + k);
    ir::Value& v = w.value(w.inputs[nf + k]);
    v.dtype = o.dtype;
    v.shape = o.shape;
    v.kind = o.kind;
  }
  try {
    infer_shapes(w);
  } catch (const Error& e) {
    ctx.fail(e.code(), "body '" + attr + "': " + e.what());
  }
  std::vector<ir::Value> out;
  for (ir::ValueId v : w.outputs) out.push_back(w.value(v));
  return out;
}

Shape without_dims(const Shape& s, size_t first, size_t count) {
  if (!s.has_rank || s.rank() < first + count) return Shape::unknown_rank();
  Shape r = s;
  r.dims.erase(r.dims.begin() + long(first), r.dims.begin() + long(first + count));
  return r;
}

// Carried state (Loop's v, Scan's states): input types for the body whose
// per-iteration outputs agree with them, re-inferring with merged shapes
// where an iteration changes them (a value growing per iteration ends with
// unknown dims).  Returns the body's outputs for the final input types.
std::vector<ir::Value> infer_carried(InferCtx& ctx, std::vector<BodyIn>& f, size_t first_state,
                                     size_t first_state_out, size_t n_states) {
  std::vector<ir::Value> out = infer_body(ctx, "body", f);
  for (int round = 0; round < 3; ++round) {
    if (out.size() < first_state_out + n_states)
      ctx.fail(ErrorCode::kMalformedModel, "body has " + std::to_string(out.size()) +
                                               " outputs, needs at least " +
                                               std::to_string(first_state_out + n_states));
    bool changed = false;
    for (size_t i = 0; i < n_states; ++i) {
      BodyIn& in = f[first_state + i];
      const ir::Value& o = out[first_state_out + i];
      if (in.dt == DType::kUndefined) in.dt = o.dtype;
      if (base_kind(in.kind) != base_kind(o.kind))
        ctx.fail(ErrorCode::kMalformedModel,
                 "carried value " + std::to_string(i) + " goes into the body as a " +
                     ir::kind_name(in.kind) + " but comes out as a " + ir::kind_name(o.kind));
      // An optional on either side makes the body's input optional (one
      // iteration may hand the next an absent value).
      if (in.kind != o.kind && in.kind != optional_kind(in.kind)) {
        in.kind = optional_kind(in.kind);
        changed = true;
      }
      Shape m = ir::merge_shapes(in.shape, o.shape);
      if (!(m == in.shape)) {
        in.shape = round == 2 ? Shape::unknown_rank() : m;
        changed = true;
      }
    }
    if (!changed) break;
    out = infer_body(ctx, "body", f);
  }
  return out;
}

void infer_if(InferCtx& ctx) {
  require_tensors(ctx, 0, 1, "the condition");
  auto t = infer_body(ctx, "then_branch", {});
  auto e = infer_body(ctx, "else_branch", {});
  if (t.size() != e.size() || t.size() != ctx.num_outputs())
    ctx.fail(ErrorCode::kMalformedModel, "then_branch has " + std::to_string(t.size()) +
                                             " outputs, else_branch " + std::to_string(e.size()) +
                                             ", the node " + std::to_string(ctx.num_outputs()));
  for (size_t i = 0; i < t.size(); ++i) {
    DType dt = t[i].dtype != DType::kUndefined ? t[i].dtype : e[i].dtype;
    if (t[i].dtype != DType::kUndefined && e[i].dtype != DType::kUndefined &&
        t[i].dtype != e[i].dtype)
      ctx.fail(ErrorCode::kMalformedModel, "output " + std::to_string(i) + " is " +
                                               ir::dtype_name(t[i].dtype) + " in then_branch but " +
                                               ir::dtype_name(e[i].dtype) + " in else_branch");
    if (t[i].kind != e[i].kind)
      ctx.fail(ErrorCode::kMalformedModel, "output " + std::to_string(i) + " is a " +
                                               ir::kind_name(t[i].kind) + " in then_branch but a " +
                                               ir::kind_name(e[i].kind) + " in else_branch");
    ctx.out_value(i, t[i].kind, dt, ir::merge_shapes(t[i].shape, e[i].shape));
  }
}

Shape with_leading(const Shape& s, std::vector<ir::Dim> lead) {
  if (!s.has_rank) return Shape::unknown_rank();
  lead.insert(lead.end(), s.dims.begin(), s.dims.end());
  return ranked(std::move(lead));
}

void infer_loop(InferCtx& ctx) {
  size_t ne = ir::explicit_inputs(ctx.node());
  size_t n_carried = ne > 2 ? ne - 2 : 0;
  require_tensors(ctx, 0, std::min<size_t>(ne, 2), "the trip count or condition");
  std::vector<BodyIn> f = {{DType::kInt64, Shape(std::vector<int64_t>{})},
                           {DType::kBool, Shape(std::vector<int64_t>{})}};
  for (size_t i = 0; i < n_carried; ++i) {
    if (!ctx.has(2 + i))
      ctx.fail(ErrorCode::kMalformedModel,
               "loop-carried input " + std::to_string(i) + " is missing");
    f.push_back({ctx.dt(2 + i), ctx.shape(2 + i), ctx.kind(2 + i)});
  }
  std::vector<ir::Value> out = infer_carried(ctx, f, 2, 1, n_carried);
  size_t k_scan = out.size() - 1 - n_carried;
  if (ctx.num_outputs() != n_carried + k_scan)
    ctx.fail(ErrorCode::kMalformedModel, "body has " + std::to_string(n_carried) + " carried and " +
                                             std::to_string(k_scan) + " scan outputs, the node " +
                                             std::to_string(ctx.num_outputs()) + " outputs");
  require_tensor_out(ctx, out[0], "the body's condition output");
  for (size_t i = 0; i < n_carried; ++i)
    ctx.out_value(i, out[1 + i].kind, f[2 + i].dt,
                  ir::merge_shapes(f[2 + i].shape, out[1 + i].shape));
  for (size_t k = 0; k < k_scan; ++k) {
    const ir::Value& o = out[1 + n_carried + k];
    // ONNX stacks scan outputs into tensors.
    require_tensor_out(ctx, o, "scan output " + std::to_string(k));
    ctx.out(n_carried + k, o.dtype, with_leading(o.shape, {ir::Dim{}}));
  }
}

void infer_scan(InferCtx& ctx) {
  const bool v8 = ctx.opset() < 9;
  size_t ne = ir::explicit_inputs(ctx.node());
  int64_t m = ctx.attrs().get_int("num_scan_inputs", -1);
  size_t lead = v8 ? 1 : 0;  // Scan-8: sequence_lens first
  if (m < 1 || size_t(m) + lead > ne)
    ctx.fail(ErrorCode::kMalformedModel, "num_scan_inputs " + std::to_string(m) +
                                             " does not fit the node's " + std::to_string(ne) +
                                             " inputs");
  size_t n_states = ne - lead - size_t(m);
  // ONNX's Scan carries and slices tensors only.
  require_tensors(ctx, 0, ne, "a Scan input");
  std::vector<int64_t> axes =
      v8 ? std::vector<int64_t>(size_t(m), 1) : ctx.attrs().get_ints("scan_input_axes");
  if (axes.empty()) axes.assign(size_t(m), 0);
  if (axes.size() != size_t(m))
    ctx.fail(ErrorCode::kMalformedModel, "scan_input_axes has " + std::to_string(axes.size()) +
                                             " entries for " + std::to_string(m) + " scan inputs");
  std::vector<BodyIn> f;
  ir::Dim batch, seq;
  for (size_t i = 0; i < n_states; ++i) {
    const ir::Value& v = ctx.in(lead + i);
    f.push_back({v.dtype, v8 ? without_dims(v.shape, 0, 1) : v.shape});
    if (v8 && v.shape.has_rank && v.shape.rank() > 0 && v.shape.dims[0].known())
      batch = v.shape.dims[0];
  }
  for (size_t j = 0; j < size_t(m); ++j) {
    const ir::Value& v = ctx.in(lead + n_states + j);
    Shape s = v.shape;
    if (s.has_rank) {
      int64_t a = ctx.axis(axes[j], int64_t(s.rank()), "scan_input_axes entry");
      if (s.dims[size_t(a)].known()) seq = s.dims[size_t(a)];
      if (v8 && s.dims[0].known()) batch = s.dims[0];
      s = v8 ? without_dims(s, 0, 2) : without_dims(s, size_t(a), 1);
    }
    f.push_back({v.dtype, s});
  }
  std::vector<ir::Value> out = infer_carried(ctx, f, 0, 0, n_states);
  size_t k_scan = out.size() - n_states;
  if (ctx.num_outputs() != n_states + k_scan)
    ctx.fail(ErrorCode::kMalformedModel, "body has " + std::to_string(n_states) + " state and " +
                                             std::to_string(k_scan) + " scan outputs, the node " +
                                             std::to_string(ctx.num_outputs()) + " outputs");
  std::vector<int64_t> out_axes =
      v8 ? std::vector<int64_t>() : ctx.attrs().get_ints("scan_output_axes");
  if (out_axes.empty()) out_axes.assign(k_scan, 0);
  if (out_axes.size() != k_scan)
    ctx.fail(ErrorCode::kMalformedModel, "scan_output_axes has " + std::to_string(out_axes.size()) +
                                             " entries for " + std::to_string(k_scan) +
                                             " scan outputs");
  for (size_t i = 0; i < out.size(); ++i)
    require_tensor_out(ctx, out[i], "body output " + std::to_string(i));
  for (size_t i = 0; i < n_states; ++i) {
    Shape s = ir::merge_shapes(f[i].shape, out[i].shape);
    ctx.out(i, f[i].dt, v8 ? with_leading(s, {batch}) : s);
  }
  for (size_t k = 0; k < k_scan; ++k) {
    const ir::Value& o = out[n_states + k];
    Shape s = Shape::unknown_rank();
    if (v8) {
      s = with_leading(o.shape, {batch, seq});
    } else if (o.shape.has_rank) {
      int64_t a = ctx.axis(out_axes[k], int64_t(o.shape.rank()) + 1, "scan_output_axes entry");
      s = o.shape;
      s.dims.insert(s.dims.begin() + long(a), seq);
    }
    ctx.out(n_states + k, o.dtype, s);
  }
}

// SequenceMap: input 0 a sequence, the rest sequences or tensors; the body
// sees one element of each sequence (tensors whole) and its outputs, all
// tensors, become the elements of the node's output sequences.
void infer_sequence_map(InferCtx& ctx) {
  size_t ne = ir::explicit_inputs(ctx.node());
  if (ne < 1 || !ctx.has(0) || !ir::is_sequence_kind(ctx.kind(0)) ||
      ir::is_optional_kind(ctx.kind(0)))
    ctx.fail(ErrorCode::kMalformedModel, "input 0 must be a sequence");
  std::vector<BodyIn> f;
  for (size_t i = 0; i < ne; ++i) {
    if (!ctx.has(i))
      ctx.fail(ErrorCode::kMalformedModel, "input " + std::to_string(i) + " is missing");
    if (ir::is_optional_kind(ctx.kind(i)))
      ctx.fail(ErrorCode::kMalformedModel, "input " + std::to_string(i) + " is a " +
                                               ir::kind_name(ctx.kind(i)) +
                                               "; SequenceMap takes sequences and tensors");
    f.push_back({ctx.dt(i), ctx.shape(i), ValueKind::kTensor});
  }
  std::vector<ir::Value> out = infer_body(ctx, "body", f);
  if (out.size() != ctx.num_outputs())
    ctx.fail(ErrorCode::kMalformedModel, "body has " + std::to_string(out.size()) +
                                             " outputs, the node " +
                                             std::to_string(ctx.num_outputs()));
  for (size_t k = 0; k < out.size(); ++k) {
    require_tensor_out(ctx, out[k], "body output " + std::to_string(k));
    ctx.out_value(k, ValueKind::kSequence, out[k].dtype, out[k].shape);
  }
}

}  // namespace

void register_control_flow_shape_fns(std::unordered_map<std::string, ShapeFn>& m) {
  m["If"] = infer_if;
  m["Loop"] = infer_loop;
  m["Scan"] = infer_scan;
  m["SequenceMap"] = infer_sequence_map;
}

}  // namespace rnpu::passes
