// Shape functions of the sequence and optional ops: they type their outputs'
// kinds (sequence, optional) as well as element types and shapes.  A
// sequence's shape is the element shape common to all its elements
// (ir::merge_element_shapes), so SequenceAt of a sequence built from equal
// shapes has a static shape the planner can place.
#include <set>

#include "ir/sequence.h"
#include "passes/infer_ctx.h"

namespace rnpu::passes {

namespace {

using ir::DType;
using ir::Shape;
using ir::ValueKind;

void need_kind(InferCtx& c, size_t i, bool sequence, const char* what) {
  ValueKind k = c.kind(i);
  bool ok = sequence ? k == ValueKind::kSequence : k == ValueKind::kTensor;
  c.check(ok, ErrorCode::kMalformedModel,
          std::string(what) + " ('" + c.in(i).name + "') must be a " +
              (sequence ? "sequence" : "tensor") + ", not a " + ir::kind_name(k));
}

void same_dtype(InferCtx& c, DType a, DType b, const std::string& what) {
  c.check(a == DType::kUndefined || b == DType::kUndefined || a == b, ErrorCode::kMalformedModel,
          what + ": " + ir::dtype_name(b) + " where the sequence holds " + ir::dtype_name(a));
}

void sequence_empty(InferCtx& c) {
  int64_t dt = c.attrs().get_int("dtype", int64_t(DType::kFloat32));
  c.check(ir::dtype_valid(int(dt)) && DType(dt) != DType::kString, ErrorCode::kUnsupportedOp,
          "element type " + std::to_string(dt) + " is not supported");
  c.out_value(0, ValueKind::kSequence, DType(dt), Shape::unknown_rank());
}

void sequence_construct(InferCtx& c) {
  c.check(c.num_inputs() >= 1, ErrorCode::kMalformedModel, "needs at least one input");
  DType t = DType::kUndefined;
  Shape s;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    need_kind(c, i, false, ("input " + std::to_string(i)).c_str());
    if (i == 0) {
      t = c.dt(0);
      s = c.shape(0);
      continue;
    }
    same_dtype(c, t, c.dt(i), "input " + std::to_string(i));
    s = ir::merge_element_shapes(s, c.shape(i));
  }
  c.out_value(0, ValueKind::kSequence, t, s);
}

void sequence_at(InferCtx& c) {
  need_kind(c, 0, true, "input_sequence");
  need_kind(c, 1, false, "position");
  c.out(0, c.dt(0), c.shape(0));
}

void sequence_insert(InferCtx& c) {
  need_kind(c, 0, true, "input_sequence");
  need_kind(c, 1, false, "tensor");
  same_dtype(c, c.dt(0), c.dt(1), "tensor");
  // An empty sequence's element shape is unknown, so inserting into one
  // gives an unknown one too: only a SequenceConstruct fixes it.
  c.out_value(0, ValueKind::kSequence, c.dt(1), ir::merge_element_shapes(c.shape(0), c.shape(1)));
}

void sequence_erase(InferCtx& c) {
  need_kind(c, 0, true, "input_sequence");
  c.out_value(0, ValueKind::kSequence, c.dt(0), c.shape(0));
}

void sequence_length(InferCtx& c) {
  need_kind(c, 0, true, "input_sequence");
  c.out(0, DType::kInt64, ranked({}));
}

void split_to_sequence(InferCtx& c) {
  need_kind(c, 0, false, "input");
  Shape s = c.shape(0);
  if (!s.has_rank) return c.out_value(0, ValueKind::kSequence, c.dt(0), s);
  int64_t axis = c.axis(c.attrs().get_int("axis", 0), c.rank(0));
  ir::Dim& d = s.dims[size_t(axis)];
  if (!c.has(1)) {
    if (c.attrs().get_int("keepdims", 1))
      d = ir::Dim{1, {}};
    else
      s.dims.erase(s.dims.begin() + axis);
  } else {
    // Chunks of a scalar split are equal only when it divides the axis;
    // listed lengths only when they are all the same.
    auto split = c.known_ints(1);
    bool equal = split && !split->empty();
    if (equal && c.in(1).shape.has_rank && c.in(1).shape.rank() == 0)
      equal = d.known() && (*split)[0] > 0 && d.value % (*split)[0] == 0;
    for (size_t i = 1; equal && i < split->size(); ++i) equal = (*split)[i] == (*split)[0];
    d = equal ? ir::Dim{(*split)[0], {}} : ir::Dim{};
  }
  c.out_value(0, ValueKind::kSequence, c.dt(0), s);
}

void concat_from_sequence(InferCtx& c) {
  need_kind(c, 0, true, "input_sequence");
  c.check(c.attrs().has("axis"), ErrorCode::kMalformedModel, "attribute 'axis' is required");
  Shape s = c.shape(0);
  if (!s.has_rank) return c.out(0, c.dt(0), s);
  bool new_axis = c.attrs().get_int("new_axis", 0) != 0;
  int64_t r = c.rank(0) + (new_axis ? 1 : 0);
  int64_t axis = c.axis(c.attrs().get_int("axis", 0), r);
  if (new_axis)
    s.dims.insert(s.dims.begin() + axis, ir::Dim{});
  else
    s.dims[size_t(axis)] = ir::Dim{};  // the sum over elements, known only at run time
  c.out(0, c.dt(0), s);
}

void optional_op(InferCtx& c) {
  if (c.has(0)) {
    ValueKind k = c.kind(0);
    c.check(!ir::is_optional_kind(k), ErrorCode::kMalformedModel, "input is already an optional");
    c.out_value(
        0, k == ValueKind::kSequence ? ValueKind::kOptionalSequence : ValueKind::kOptionalTensor,
        c.dt(0), c.shape(0));
    return;
  }
  const ir::Attribute* t = c.attrs().find("type");
  c.check(t && t->kind == ir::Attribute::Kind::kType, ErrorCode::kMalformedModel,
          "an Optional without input needs the 'type' attribute");
  ValueKind k = ValueKind(t->type_kind);
  c.check(!ir::is_optional_kind(k), ErrorCode::kUnsupportedOp, "optional of an optional");
  c.out_value(0,
              k == ValueKind::kSequence ? ValueKind::kOptionalSequence : ValueKind::kOptionalTensor,
              DType(t->type_dtype), Shape::unknown_rank());
}

void optional_get_element(InferCtx& c) {
  ValueKind k = c.kind(0);
  // Opset 18 also takes a plain tensor or sequence (and returns it).
  c.check(ir::is_optional_kind(k) || c.opset() >= 18, ErrorCode::kMalformedModel,
          "input must be an optional before opset 18, not a " + std::string(ir::kind_name(k)));
  ValueKind out = ir::is_sequence_kind(k) ? ValueKind::kSequence : ValueKind::kTensor;
  c.out_value(0, out, c.dt(0), c.shape(0));
}

void optional_has_element(InferCtx& c) {
  if (c.has(0))
    c.check(ir::is_optional_kind(c.kind(0)) || c.opset() >= 18, ErrorCode::kMalformedModel,
            "input must be an optional before opset 18, not a " +
                std::string(ir::kind_name(c.kind(0))));
  else
    c.check(c.opset() >= 18, ErrorCode::kMalformedModel, "input is required before opset 18");
  c.out(0, DType::kBool, ranked({}));
}

}  // namespace

bool kind_aware_op(const std::string& op) {
  static const std::set<std::string> ops = {
      "Identity", "SequenceEmpty", "SequenceConstruct", "SequenceAt", "SequenceInsert",
      "SequenceErase", "SequenceLength", "SplitToSequence", "ConcatFromSequence", "Optional",
      "OptionalGetElement", "OptionalHasElement",
      // Control flow carries any kind; its shape functions check their own.
      "If", "Loop", "Scan", "SequenceMap"};
  return ops.count(op) != 0;
}

void register_sequence_shape_fns(std::unordered_map<std::string, ShapeFn>& m) {
  m["SequenceEmpty"] = sequence_empty;
  m["SequenceConstruct"] = sequence_construct;
  m["SequenceAt"] = sequence_at;
  m["SequenceInsert"] = sequence_insert;
  m["SequenceErase"] = sequence_erase;
  m["SequenceLength"] = sequence_length;
  m["SplitToSequence"] = split_to_sequence;
  m["ConcatFromSequence"] = concat_from_sequence;
  m["Optional"] = optional_op;
  m["OptionalGetElement"] = optional_get_element;
  m["OptionalHasElement"] = optional_has_element;
}

}  // namespace rnpu::passes
