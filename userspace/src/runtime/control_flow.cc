#include "runtime/control_flow.h"

#include <cstdlib>
#include <cstring>

#include "ir/control_flow.h"
#include "ir/sequence.h"
#include "passes/pipeline.h"
#include "runtime/executor.h"

namespace rnpu::runtime {

using ir::DType;
using ir::ValueId;
using ir::ValueKind;

namespace {

using SeqPtr = std::shared_ptr<const ir::Sequence>;

// A body's result: a tensor (t), a sequence (seq) or an absent optional.
// A string tensor is t's dtype and shape with its elements in strs (shared:
// they are immutable, so carrying one copies no string).
struct Val {
  TensorView t;
  SeqPtr seq;
  bool absent = false;
  ir::StringsPtr strs;
};

// A tensor owned by a control-flow node between body runs (carried state,
// scan slices and accumulated scan outputs).  64-byte aligned, with slack
// past the end for kernels that over-read (XNNPACK), capacity reused.
struct Buf {
  DType dtype = DType::kUndefined;
  std::vector<int64_t> shape;
  size_t size = 0;
  std::unique_ptr<uint8_t, void (*)(void*)> mem{nullptr, std::free};
  size_t cap = 0;
  // A sequence value or an absent optional instead of a tensor; sequences
  // are shared, never copied (their elements are immutable).
  SeqPtr seq;
  bool absent = false;
  ir::StringsPtr strs;  // a string tensor's elements (shape in `shape`)

  uint8_t* data() { return mem.get(); }
  void reserve(size_t n) {
    if (mem && n <= cap) return;
    size_t c = std::max<size_t>(64, (n + 64 + 63) / 64 * 64);
    void* p = std::aligned_alloc(64, c);
    if (!p) throw Error(ErrorCode::kOutOfMemory, "cannot allocate " + std::to_string(c) + " bytes");
    mem.reset(static_cast<uint8_t*>(p));
    cap = c;
  }
  void assign(DType dt, const std::vector<int64_t>& s, const void* src, size_t n) {
    reserve(n);
    dtype = dt;
    shape = s;
    size = n;
    seq = nullptr;
    absent = false;
    strs = nullptr;
    if (n) std::memcpy(mem.get(), src, n);
  }
  void hold_strings(const std::vector<int64_t>& s, ir::StringsPtr elems) {
    dtype = DType::kString;
    shape = s;
    size = 0;
    seq = nullptr;
    absent = false;
    strs = std::move(elems);
  }
  void hold(const Val& v) {
    if (v.strs) return hold_strings(v.t.shape, v.strs);
    if (v.seq || v.absent) {
      seq = v.seq;
      absent = v.absent;
      strs = nullptr;
      dtype = v.seq ? v.seq->dtype : DType::kUndefined;
      shape.clear();
      size = 0;
      return;
    }
    assign(v.t.dtype, v.t.shape, v.t.data, v.t.size);
  }
};

// A view of a tensor handed to a body.
struct In {
  DType dtype;
  const std::vector<int64_t>* shape;
  const void* data;
  size_t size;
  SeqPtr seq;
  bool absent = false;
  ir::StringsPtr strs;
};

In view(Buf& b) {
  return {b.dtype, &b.shape, b.data(), b.size, b.seq, b.absent, b.strs};
}
In view(const HostTensor& t) {
  return {t.dtype, &t.shape, t.data, t.size, t.seq, t.absent, t.strings};
}
In view(const ir::ConstTensor& c) {
  return {c.dtype, &c.dims, c.data, c.size, nullptr, false, c.strings};
}

// The type a node gives one of its body's formal inputs.
struct Formal {
  DType dtype;
  ValueKind kind = ValueKind::kTensor;
};

ValueKind optional_kind(ValueKind k) {
  return ir::is_sequence_kind(k) ? ValueKind::kOptionalSequence : ValueKind::kOptionalTensor;
}

int64_t numel(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

std::string shape_str(const std::vector<int64_t>& s) {
  return ir::Shape(s).str();
}

// A scalar condition or count: exactly one element of the expected type.
int64_t scalar(const ir::Node& n, const HostTensor& t, const char* what, bool want_bool) {
  bool ok = numel(t.shape) == 1 && t.data &&
            (want_bool ? t.dtype == DType::kBool
                       : (t.dtype == DType::kInt64 || t.dtype == DType::kInt32));
  if (!ok)
    ir::node_error(ErrorCode::kShapeMismatch, n,
                   std::string(what) + " must be a " + (want_bool ? "bool" : "int64") +
                       " scalar (one element), got " + ir::dtype_name(t.dtype) + " " +
                       shape_str(t.shape));
  if (t.dtype == DType::kBool) return *static_cast<const uint8_t*>(t.data) != 0;
  if (t.dtype == DType::kInt32) return *static_cast<const int32_t*>(t.data);
  return *static_cast<const int64_t*>(t.data);
}

// Inputs [first, first + count) must be present (not an omitted optional).
void require_inputs(const ir::Node& n, size_t first, size_t count, const char* what) {
  for (size_t i = first; i < first + count; ++i)
    if (i >= ir::explicit_inputs(n) || n.inputs[i] == ir::kNoValue)
      ir::node_error(ErrorCode::kMalformedModel, n,
                     std::string(what) + " (input " + std::to_string(i) + ") is missing");
}

// One body compiled into a nested Executor.  Implicit inputs whose outer
// value is a constant become constants of the body (so its passes fold
// them and fast paths pack weights once); the rest are bound every run.
class Body {
 public:
  Body(const ir::Node& n, const ir::Graph& sub, const std::string& attr,
       const std::vector<Formal>& formal_types, const partition::BackendSet& set,
       const Options& opts)
      : node_(n), attr_(attr) {
    const ir::Graph& b = ir::body_of(n, attr);
    formal_ = ir::formal_inputs(b);
    if (formal_types.size() != formal_)
      ir::node_error(ErrorCode::kMalformedModel, n,
                     "body '" + attr + "' has " + std::to_string(formal_) +
                         " inputs, the node gives it " + std::to_string(formal_types.size()));
    ir::Graph g = b;
    for (size_t i = 0; i < formal_; ++i) {
      ir::Value& v = g.value(g.inputs[i]);
      if (v.dtype == DType::kUndefined) v.dtype = formal_types[i].dtype;
      v.kind = formal_types[i].kind;
    }
    std::vector<ValueId> inputs(g.inputs.begin(), g.inputs.begin() + long(formal_));
    size_t first = ir::explicit_inputs(n);
    for (size_t k = 0; k < b.implicit_inputs; ++k) {
      ValueId outer = n.inputs[first + k];
      const ir::Value& ov = sub.value(outer);
      ir::Value& v = g.value(g.inputs[formal_ + k]);
      v.dtype = ov.dtype;
      v.kind = ov.kind;
      if (ov.is_constant()) {
        v.constant = ov.constant;
        v.shape = ir::Shape(ov.constant->dims);
        continue;
      }
      v.shape = ov.shape;
      inputs.push_back(g.inputs[formal_ + k]);
      bound_.push_back(outer);
    }
    g.inputs = std::move(inputs);
    g.implicit_inputs = bound_.size();
    try {
      passes::PipelineOptions po;
      po.level = opts.reference_kernels ? 0 : opts.optimization_level;
      passes::run_pipeline(g, po);
      exec_ = std::make_unique<Executor>(std::move(g), set, opts);
    } catch (const Error& e) {
      throw Error(e.code(), "body '" + attr + "': " + e.what(), n.name, n.op);
    }
  }

  size_t outputs() const { return exec_->outputs().size(); }

  // Runs the body on `formal` (plus the outer values from ctx); `where`
  // names the iteration in errors.  Outputs stay valid until the next run.
  void run(RunContext& ctx, const std::vector<In>& formal, const std::string& where) {
    try {
      const auto& info = exec_->inputs();
      auto bind = [&](size_t i, const In& x) {
        if (x.absent) return exec_->set_input_absent(i);
        if (x.seq) return exec_->set_input_sequence(i, x.seq);
        if (ir::is_sequence_kind(info[i].kind))
          throw Error(ErrorCode::kShapeMismatch, "input '" + info[i].name + "' is a " +
                                                     ir::kind_name(info[i].kind) +
                                                     ", given a tensor");
        if (x.dtype != info[i].dtype)
          throw Error(ErrorCode::kShapeMismatch, "input '" + info[i].name + "' is " +
                                                     ir::dtype_name(info[i].dtype) + ", given " +
                                                     ir::dtype_name(x.dtype));
        if (x.dtype == DType::kString) {
          if (!x.strs) throw Error(ErrorCode::kInternal, "string input without elements");
          return exec_->set_input_strings(i, *x.strs, *x.shape);
        }
        exec_->set_input(i, x.data, x.size, *x.shape);
      };
      for (size_t i = 0; i < formal.size(); ++i) bind(i, formal[i]);
      for (size_t k = 0; k < bound_.size(); ++k)
        bind(formal.size() + k, view(ctx.tensor(bound_[k])));
      exec_->run();
    } catch (const Error& e) {
      throw Error(e.code(), "body '" + attr_ + "'" + where + ": " + e.what(), node_.name, node_.op);
    }
  }
  TensorView output(size_t i) const { return exec_->output(i); }
  ValueKind output_kind(size_t i) const { return exec_->outputs()[i].kind; }
  // Output i of any kind.
  Val result(size_t i) const {
    Val v;
    ValueKind k = output_kind(i);
    if (ir::is_optional_kind(k) && !exec_->output_has_element(i))
      v.absent = true;
    else if (ir::is_sequence_kind(k))
      v.seq = exec_->output_sequence(i);
    else if (output_dtype(i) == DType::kString) {
      v.t.dtype = DType::kString;
      v.strs = exec_->output_strings(i, &v.t.shape);
    } else
      v.t = exec_->output(i);
    return v;
  }
  DType output_dtype(size_t i) const { return exec_->outputs()[i].dtype; }

 private:
  const ir::Node& node_;
  std::string attr_;
  size_t formal_ = 0;
  std::vector<ValueId> bound_;  // outer values bound as the body's trailing inputs
  std::unique_ptr<Executor> exec_;
};

void check_outputs(const ir::Node& n, const Body& b, const std::string& attr, size_t want,
                   const std::string& what) {
  if (b.outputs() != want)
    ir::node_error(ErrorCode::kMalformedModel, n,
                   "body '" + attr + "' has " + std::to_string(b.outputs()) + " outputs, " + what +
                       " needs " + std::to_string(want));
}

void write_output(RunContext& ctx, ValueId v, DType dt, const std::vector<int64_t>& shape,
                  const void* src, size_t size) {
  if (v == ir::kNoValue) return;
  void* dst = ctx.allocate(v, dt, shape);
  if (size) std::memcpy(dst, src, size);
}

void write_output(RunContext& ctx, ValueId v, const TensorView& t) {
  write_output(ctx, v, t.dtype, t.shape, t.data, t.size);
}

void write_strings(RunContext& ctx, ValueId v, const std::vector<int64_t>& shape,
                   ir::StringsPtr elems) {
  HostTensor& h = ctx.tensor(v);
  h.dtype = DType::kString;
  h.shape = shape;
  h.data = nullptr;
  h.size = 0;
  h.strings = std::move(elems);
}

// A value of any kind: sequences and string lists are shared, absent
// optionals marked.
void write_value(RunContext& ctx, ValueId v, const Val& x) {
  if (v == ir::kNoValue) return;
  if (x.strs) {
    write_strings(ctx, v, x.t.shape, x.strs);
  } else if (x.absent) {
    ctx.tensor(v).absent = true;
  } else if (x.seq) {
    ctx.tensor(v).seq = x.seq;
  } else {
    write_output(ctx, v, x.t);
  }
}

void write_value(RunContext& ctx, ValueId v, Buf& b) {
  if (b.seq || b.absent) return write_value(ctx, v, Val{{}, b.seq, b.absent});
  if (b.strs) {
    if (v != ir::kNoValue) write_strings(ctx, v, b.shape, b.strs);
    return;
  }
  write_output(ctx, v, b.dtype, b.shape, b.data(), b.size);
}

// A tensor result where ONNX wants one (conditions, scan outputs).
TensorView tensor_result(const ir::Node& n, const Val& v, const std::string& what) {
  if (v.seq || v.absent)
    ir::node_error(
        ErrorCode::kShapeMismatch, n,
        what + " is " + (v.absent ? "an absent optional" : "a sequence") + ", not a tensor");
  // Scan outputs are stacked byte-wise, which a string list is not.
  if (v.strs)
    ir::node_error(ErrorCode::kUnsupportedOp, n,
                   what + " is a string tensor; stacking strings is not supported");
  return v.t;
}

std::string iteration(int64_t i) {
  return ", iteration " + std::to_string(i);
}

class NodeRunner {
 public:
  explicit NodeRunner(const ir::Node& n) : n_(n) {}
  virtual ~NodeRunner() = default;
  virtual void run(RunContext& ctx) = 0;

 protected:
  const ir::Node& n_;  // in the program's copy of the partition
};

// ---------------------------------------------------------------- If
class IfRunner : public NodeRunner {
 public:
  IfRunner(const ir::Node& n, const ir::Graph& sub, const partition::BackendSet& set,
           const Options& opts)
      : NodeRunner(n),
        then_((require_inputs(n, 0, 1, "the condition"), n), sub, "then_branch", {}, set, opts),
        else_(n, sub, "else_branch", {}, set, opts) {
    check_outputs(n, then_, "then_branch", n.outputs.size(), "the node");
    check_outputs(n, else_, "else_branch", n.outputs.size(), "the node");
  }
  void run(RunContext& ctx) override {
    bool c = scalar(n_, ctx.tensor(n_.inputs.at(0)), "the condition", true);
    Body& b = c ? then_ : else_;
    b.run(ctx, {}, "");
    for (size_t i = 0; i < n_.outputs.size(); ++i) write_value(ctx, n_.outputs[i], b.result(i));
  }

 private:
  Body then_, else_;
};

// Per-iteration scan output slices, stacked into one tensor at the end.
struct ScanAccum {
  DType dtype = DType::kUndefined;
  std::vector<int64_t> shape;  // one iteration's
  std::vector<uint8_t> bytes;  // iterations back to back
  size_t per = 0;
  int64_t count = 0;

  void add(const ir::Node& n, size_t k, const TensorView& t, int64_t it) {
    if (count == 0) {
      dtype = t.dtype;
      shape = t.shape;
      per = t.size;
    } else if (t.shape != shape || t.dtype != dtype) {
      ir::node_error(ErrorCode::kShapeMismatch, n,
                     "scan output " + std::to_string(k) + " is " + shape_str(shape) +
                         " in the first iteration but " + shape_str(t.shape) + " in iteration " +
                         std::to_string(it) + " (scan outputs are stacked)");
    }
    if (bytes.size() + per > size_t(ir::kMaxElements))
      ir::node_error(ErrorCode::kOutOfMemory, n,
                     "scan output " + std::to_string(k) + " grows beyond the tensor limit");
    bytes.insert(bytes.end(), static_cast<const uint8_t*>(t.data),
                 static_cast<const uint8_t*>(t.data) + per);
    ++count;
  }
};

// The per-iteration shape of a scan output that no iteration produced:
// the inferred one, with unknown dims taken as 0.
std::vector<int64_t> empty_iteration_shape(const ir::Graph& sub, ValueId out, size_t drop_axis) {
  std::vector<int64_t> s;
  if (out != ir::kNoValue && sub.value(out).shape.has_rank) {
    const auto& dims = sub.value(out).shape.dims;
    for (size_t d = 0; d < dims.size(); ++d)
      if (d != drop_axis) s.push_back(dims[d].known() ? dims[d].value : 0);
  }
  return s;
}

// ---------------------------------------------------------------- Loop
class LoopRunner : public NodeRunner {
 public:
  LoopRunner(const ir::Node& n, const ir::Graph& sub, const partition::BackendSet& set,
             const Options& opts)
      : NodeRunner(n), sub_(sub) {
    size_t ne = ir::explicit_inputs(n);
    n_carried_ = ne > 2 ? ne - 2 : 0;
    bool has_m = ne > 0 && n.inputs[0] != ir::kNoValue;
    bool has_cond = ne > 1 && n.inputs[1] != ir::kNoValue;
    if (!has_m && !has_cond)
      ir::node_error(ErrorCode::kMalformedModel, n,
                     "has neither a trip count M nor a condition: it would never end");
    if (has_m && !has_cond && sub.value(n.inputs[0]).is_constant()) {
      const auto& c = sub.value(n.inputs[0]).constant;
      if (c->numel() == 1 && c->get_int(0) > kMaxLoopIterations)
        ir::node_error(ErrorCode::kUnsupportedOp, n,
                       "trip count " + std::to_string(c->get_int(0)) + " exceeds the limit of " +
                           std::to_string(kMaxLoopIterations) + " iterations");
    }
    require_inputs(n, 2, n_carried_, "a loop-carried initial value");
    std::vector<Formal> types = {{DType::kInt64}, {DType::kBool}};
    for (size_t i = 0; i < n_carried_; ++i) {
      // As shape inference types it: optional when the value going in and
      // the one coming out differ in that (one iteration's output is the
      // next one's input).
      const ir::Value& in = sub.value(n.inputs[2 + i]);
      ValueKind k = in.kind;
      if (i < n.outputs.size() && n.outputs[i] != ir::kNoValue && sub.value(n.outputs[i]).kind != k)
        k = optional_kind(k);
      types.push_back({in.dtype, k});
    }
    body_ = std::make_unique<Body>(n, sub, "body", types, set, opts);
    if (body_->outputs() < 1 + n_carried_)
      check_outputs(n, *body_, "body", 1 + n_carried_, "the condition and every carried value");
    k_scan_ = body_->outputs() - 1 - n_carried_;
    if (n.outputs.size() != n_carried_ + k_scan_)
      ir::node_error(ErrorCode::kMalformedModel, n,
                     "has " + std::to_string(n.outputs.size()) + " outputs, its body gives " +
                         std::to_string(n_carried_) + " carried and " + std::to_string(k_scan_) +
                         " scan outputs");
  }

  void run(RunContext& ctx) override {
    size_t ne = ir::explicit_inputs(n_);
    bool has_m = ne > 0 && n_.inputs[0] != ir::kNoValue;
    bool has_cond = ne > 1 && n_.inputs[1] != ir::kNoValue;
    int64_t m = has_m ? scalar(n_, ctx.tensor(n_.inputs[0]), "the trip count M", false) : 0;
    bool cond = has_cond ? scalar(n_, ctx.tensor(n_.inputs[1]), "the condition", true) : true;
    if (has_m && !has_cond && m > kMaxLoopIterations)
      ir::node_error(ErrorCode::kUnsupportedOp, n_,
                     "trip count " + std::to_string(m) + " exceeds the limit of " +
                         std::to_string(kMaxLoopIterations) + " iterations");
    cur_.resize(n_carried_);
    next_.resize(n_carried_);
    for (size_t i = 0; i < n_carried_; ++i) {
      const HostTensor& t = ctx.tensor(n_.inputs[2 + i]);
      if (t.seq || t.absent)
        cur_[i].hold(Val{{}, t.seq, t.absent});
      else if (t.dtype == DType::kString && t.strings)
        cur_[i].hold_strings(t.shape, t.strings);
      else
        cur_[i].assign(t.dtype, t.shape, t.data, t.size);
    }
    std::vector<ScanAccum> scans(k_scan_);
    Buf iter, cond_buf;
    iter.assign(DType::kInt64, {}, &m, sizeof(int64_t));
    uint8_t c8 = cond;
    cond_buf.assign(DType::kBool, {}, &c8, 1);
    std::vector<In> formal(2 + n_carried_);
    int64_t it = 0;
    for (; cond && (!has_m || it < m); ++it) {
      if (it >= kMaxLoopIterations)
        ir::node_error(ErrorCode::kRuntime, n_,
                       "ran " + std::to_string(it) +
                           " iterations, the limit, and its condition "
                           "is still true");
      *reinterpret_cast<int64_t*>(iter.data()) = it;
      *cond_buf.data() = cond;
      formal[0] = view(iter);
      formal[1] = view(cond_buf);
      for (size_t i = 0; i < n_carried_; ++i) formal[2 + i] = view(cur_[i]);
      body_->run(ctx, formal, iteration(it));
      TensorView c = tensor_result(n_, body_->result(0), "the body's condition output");
      HostTensor ct{c.dtype, c.shape, const_cast<void*>(c.data), c.size, nullptr};
      bool c_out = scalar(n_, ct, "the body's condition output", true);
      // Copied out before the next run reuses the body's memory (an output
      // may also be one of its inputs, so through a second buffer).
      for (size_t i = 0; i < n_carried_; ++i) next_[i].hold(body_->result(1 + i));
      std::swap(cur_, next_);
      for (size_t k = 0; k < k_scan_; ++k)
        scans[k].add(n_, k,
                     tensor_result(n_, body_->result(1 + n_carried_ + k),
                                   "scan output " + std::to_string(k)),
                     it);
      // Without a condition input the body's condition output is ignored.
      if (has_cond) cond = c_out;
    }
    for (size_t i = 0; i < n_carried_; ++i) write_value(ctx, n_.outputs[i], cur_[i]);
    for (size_t k = 0; k < k_scan_; ++k) {
      ValueId out = n_.outputs[n_carried_ + k];
      ScanAccum& s = scans[k];
      std::vector<int64_t> shape = {it};
      if (s.count) {
        shape.insert(shape.end(), s.shape.begin(), s.shape.end());
      } else {
        auto e = empty_iteration_shape(sub_, out, 0);
        shape.insert(shape.end(), e.begin(), e.end());
        s.dtype = out == ir::kNoValue ? DType::kFloat32 : sub_.value(out).dtype;
      }
      write_output(ctx, out, s.dtype, shape, s.bytes.data(), s.bytes.size());
    }
  }

 private:
  const ir::Graph& sub_;
  size_t n_carried_ = 0, k_scan_ = 0;
  std::unique_ptr<Body> body_;
  std::vector<Buf> cur_, next_;
};

// ---------------------------------------------------------------- Scan
class ScanRunner : public NodeRunner {
 public:
  ScanRunner(const ir::Node& n, const ir::Graph& sub, const partition::BackendSet& set,
             const Options& opts)
      : NodeRunner(n), sub_(sub) {
    v8_ = n.opset < 9;
    lead_ = v8_ ? 1 : 0;
    size_t ne = ir::explicit_inputs(n);
    int64_t m = n.attrs.get_int("num_scan_inputs", -1);
    if (m < 1 || size_t(m) + lead_ > ne)
      ir::node_error(ErrorCode::kMalformedModel, n,
                     "num_scan_inputs " + std::to_string(m) + " does not fit its " +
                         std::to_string(ne) + " inputs");
    m_ = size_t(m);
    n_states_ = ne - lead_ - m_;
    auto list = [&](const char* name, size_t count) {
      std::vector<int64_t> v = n.attrs.get_ints(name);
      if (v.empty()) v.assign(count, 0);
      if (v.size() != count)
        ir::node_error(ErrorCode::kMalformedModel, n,
                       std::string(name) + " has " + std::to_string(v.size()) + " entries for " +
                           std::to_string(count));
      return v;
    };
    if (v8_) {
      in_dirs_ = list("directions", m_);
      in_axes_.assign(m_, 0);  // per batch entry, time is the first axis
    } else {
      in_axes_ = list("scan_input_axes", m_);
      in_dirs_ = list("scan_input_directions", m_);
    }
    require_inputs(n, lead_, n_states_ + m_, "a state or scan input");
    std::vector<Formal> types;
    for (size_t i = 0; i < n_states_ + m_; ++i) {
      const ir::Value& v = sub.value(n.inputs[lead_ + i]);
      // ONNX's Scan carries and slices tensors only.
      if (v.kind != ValueKind::kTensor)
        ir::node_error(ErrorCode::kMalformedModel, n,
                       "input " + std::to_string(lead_ + i) + " ('" + v.name + "') is a " +
                           ir::kind_name(v.kind) + "; Scan takes tensors");
      // Scan slices and stacks bytes; a string list has none.
      if (v.dtype == DType::kString)
        ir::node_error(ErrorCode::kUnsupportedOp, n,
                       "input " + std::to_string(lead_ + i) + " ('" + v.name +
                           "') is a string tensor; Scan over strings is not supported");
      types.push_back({v.dtype});
    }
    body_ = std::make_unique<Body>(n, sub, "body", types, set, opts);
    for (size_t k = 0; k < body_->outputs(); ++k)
      if (body_->output_kind(k) != ValueKind::kTensor)
        ir::node_error(ErrorCode::kMalformedModel, n,
                       "body output " + std::to_string(k) + " is a " +
                           ir::kind_name(body_->output_kind(k)) + "; Scan gives tensors");
    for (size_t k = 0; k < body_->outputs(); ++k)
      if (body_->output_dtype(k) == DType::kString)
        ir::node_error(ErrorCode::kUnsupportedOp, n,
                       "body output " + std::to_string(k) +
                           " is a string tensor; Scan over strings is not supported");
    if (body_->outputs() < n_states_)
      check_outputs(n, *body_, "body", n_states_, "every state value");
    k_scan_ = body_->outputs() - n_states_;
    if (n.outputs.size() != n_states_ + k_scan_)
      ir::node_error(ErrorCode::kMalformedModel, n,
                     "has " + std::to_string(n.outputs.size()) + " outputs, its body gives " +
                         std::to_string(n_states_) + " state and " + std::to_string(k_scan_) +
                         " scan outputs");
    if (v8_) {
      out_axes_.assign(k_scan_, 0);
      out_dirs_.assign(k_scan_, 0);
    } else {
      out_axes_ = list("scan_output_axes", k_scan_);
      out_dirs_ = list("scan_output_directions", k_scan_);
    }
    for (int64_t d : in_dirs_)
      if (d != 0 && d != 1)
        ir::node_error(ErrorCode::kMalformedModel, n,
                       "scan direction " + std::to_string(d) + " is neither 0 nor 1");
    for (int64_t d : out_dirs_)
      if (d != 0 && d != 1)
        ir::node_error(ErrorCode::kMalformedModel, n,
                       "scan direction " + std::to_string(d) + " is neither 0 nor 1");
  }

  void run(RunContext& ctx) override {
    std::vector<In> states, scans;
    for (size_t i = 0; i < n_states_; ++i) states.push_back(view(ctx.tensor(n_.inputs[lead_ + i])));
    for (size_t j = 0; j < m_; ++j)
      scans.push_back(view(ctx.tensor(n_.inputs[lead_ + n_states_ + j])));
    if (!v8_) {
      std::vector<Buf> st_out, sc_out;
      scan(ctx, states, scans, in_axes_, &st_out, &sc_out);
      for (size_t i = 0; i < n_states_; ++i)
        write_output(ctx, n_.outputs[i], st_out[i].dtype, st_out[i].shape, st_out[i].data(),
                     st_out[i].size);
      for (size_t k = 0; k < k_scan_; ++k)
        write_output(ctx, n_.outputs[n_states_ + k], sc_out[k].dtype, sc_out[k].shape,
                     sc_out[k].data(), sc_out[k].size);
      return;
    }
    run_batched(ctx, states, scans);
  }

 private:
  // Scan-8: every state and scan input has a leading batch axis; each batch
  // entry is scanned on its own (time is axis 1 of the inputs).
  void run_batched(RunContext& ctx, const std::vector<In>& states, const std::vector<In>& scans) {
    int64_t batch = -1;
    for (const In& x : states) batch = check_batch(x, batch);
    for (const In& x : scans) batch = check_batch(x, batch);
    if (n_.inputs[0] != ir::kNoValue) {
      const HostTensor& lens = ctx.tensor(n_.inputs[0]);
      int64_t t = scans.empty() || scans[0].shape->size() < 2 ? 0 : (*scans[0].shape)[1];
      for (int64_t i = 0; i < numel(lens.shape); ++i) {
        int64_t l = lens.dtype == DType::kInt32 ? static_cast<const int32_t*>(lens.data)[i]
                                                : static_cast<const int64_t*>(lens.data)[i];
        if (l != t)
          ir::node_error(ErrorCode::kUnsupportedOp, n_,
                         "Scan-8 sequence_lens shorter than the sequence (" + std::to_string(l) +
                             " of " + std::to_string(t) + ") are not supported");
      }
    }
    std::vector<std::vector<Buf>> st(static_cast<size_t>(batch)), sc(static_cast<size_t>(batch));
    std::vector<Buf> parts(states.size() + scans.size());
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<In> s_b, x_b;
      size_t p = 0;
      for (const In& x : states) s_b.push_back(entry(x, b, parts[p++]));
      for (const In& x : scans) x_b.push_back(entry(x, b, parts[p++]));
      scan(ctx, s_b, x_b, in_axes_, &st[size_t(b)], &sc[size_t(b)],
           ", batch entry " + std::to_string(b));
    }
    auto gather = [&](size_t k, std::vector<std::vector<Buf>>& from, ValueId out) {
      if (out == ir::kNoValue) return;
      std::vector<int64_t> shape = {batch};
      DType dt = sub_.value(out).dtype;
      size_t per = 0;
      if (batch > 0) {
        const Buf& f = from[0][k];
        shape.insert(shape.end(), f.shape.begin(), f.shape.end());
        dt = f.dtype;
        per = f.size;
        for (int64_t b = 1; b < batch; ++b)
          if (from[size_t(b)][k].shape != f.shape)
            ir::node_error(ErrorCode::kShapeMismatch, n_,
                           "batch entries give outputs of different shapes");
      }
      auto* dst = static_cast<uint8_t*>(ctx.allocate(out, dt, shape));
      for (int64_t b = 0; b < batch; ++b)
        if (per) std::memcpy(dst + size_t(b) * per, from[size_t(b)][k].data(), per);
    };
    for (size_t i = 0; i < n_states_; ++i) gather(i, st, n_.outputs[i]);
    for (size_t k = 0; k < k_scan_; ++k) gather(k, sc, n_.outputs[n_states_ + k]);
  }

  int64_t check_batch(const In& x, int64_t batch) const {
    if (x.shape->empty())
      ir::node_error(ErrorCode::kShapeMismatch, n_, "Scan-8 inputs need a batch axis");
    if (batch >= 0 && (*x.shape)[0] != batch)
      ir::node_error(ErrorCode::kShapeMismatch, n_,
                     "inputs disagree on the batch size (" + std::to_string(batch) + " vs " +
                         std::to_string((*x.shape)[0]) + ")");
    return (*x.shape)[0];
  }

  static In entry(const In& x, int64_t b, Buf& keep) {
    std::vector<int64_t> s(x.shape->begin() + 1, x.shape->end());
    size_t per = (*x.shape)[0] ? x.size / size_t((*x.shape)[0]) : 0;
    keep.assign(x.dtype, s, static_cast<const uint8_t*>(x.data) + size_t(b) * per, per);
    return view(keep);
  }

  // Scan-9 semantics over one set of inputs.
  void scan(RunContext& ctx, const std::vector<In>& states, const std::vector<In>& scans,
            const std::vector<int64_t>& axes, std::vector<Buf>* st_out, std::vector<Buf>* sc_out,
            const std::string& where = "") {
    int64_t t_len = -1;
    std::vector<int64_t> ax(m_);
    for (size_t j = 0; j < m_; ++j) {
      int64_t r = int64_t(scans[j].shape->size());
      int64_t a = axes[j] < 0 ? axes[j] + r : axes[j];
      if (a < 0 || a >= r)
        ir::node_error(ErrorCode::kShapeMismatch, n_,
                       "scan axis " + std::to_string(axes[j]) + " is out of range for scan input " +
                           std::to_string(j) + " of shape " + shape_str(*scans[j].shape));
      ax[j] = a;
      int64_t len = (*scans[j].shape)[size_t(a)];
      if (t_len >= 0 && len != t_len)
        ir::node_error(ErrorCode::kShapeMismatch, n_,
                       "scan inputs have different sequence lengths (" + std::to_string(t_len) +
                           " and " + std::to_string(len) + ")");
      t_len = len;
    }
    if (t_len > kMaxLoopIterations)
      ir::node_error(ErrorCode::kUnsupportedOp, n_,
                     "sequence length " + std::to_string(t_len) + " exceeds the limit of " +
                         std::to_string(kMaxLoopIterations) + " iterations");
    std::vector<Buf> cur(n_states_), next(n_states_), slices(m_);
    for (size_t i = 0; i < n_states_; ++i)
      cur[i].assign(states[i].dtype, *states[i].shape, states[i].data, states[i].size);
    std::vector<ScanAccum> acc(k_scan_);
    std::vector<In> formal(n_states_ + m_);
    for (int64_t t = 0; t < t_len; ++t) {
      for (size_t j = 0; j < m_; ++j) {
        int64_t idx = in_dirs_[j] ? t_len - 1 - t : t;
        slice(scans[j], ax[j], idx, slices[j]);
      }
      for (size_t i = 0; i < n_states_; ++i) formal[i] = view(cur[i]);
      for (size_t j = 0; j < m_; ++j) formal[n_states_ + j] = view(slices[j]);
      body_->run(ctx, formal, where + iteration(t));
      for (size_t i = 0; i < n_states_; ++i) {
        TensorView o = body_->output(i);
        next[i].assign(o.dtype, o.shape, o.data, o.size);
      }
      std::swap(cur, next);
      for (size_t k = 0; k < k_scan_; ++k) acc[k].add(n_, k, body_->output(n_states_ + k), t);
    }
    *st_out = std::move(cur);
    sc_out->resize(k_scan_);
    for (size_t k = 0; k < k_scan_; ++k) {
      ScanAccum& s = acc[k];
      ValueId out = n_.outputs[n_states_ + k];
      if (!s.count) {
        size_t drop = v8_ ? 1 : 0;  // the inferred shape has the scan axis (and batch)
        s.shape = empty_iteration_shape(sub_, out, drop);
        if (v8_ && !s.shape.empty()) s.shape.erase(s.shape.begin());
        s.dtype = out == ir::kNoValue ? DType::kFloat32 : sub_.value(out).dtype;
      }
      int64_t r = int64_t(s.shape.size());
      int64_t a = out_axes_[k] < 0 ? out_axes_[k] + r + 1 : out_axes_[k];
      if (a < 0 || a > r)
        ir::node_error(ErrorCode::kShapeMismatch, n_,
                       "scan_output_axes entry " + std::to_string(out_axes_[k]) +
                           " is out of range for scan output " + std::to_string(k) + " of rank " +
                           std::to_string(r));
      std::vector<int64_t> shape = s.shape;
      shape.insert(shape.begin() + long(a), t_len);
      Buf& o = (*sc_out)[k];
      o.reserve(s.bytes.size());
      o.dtype = s.dtype;
      o.shape = shape;
      o.size = s.bytes.size();
      // Iteration t's slice goes to position t (or t_len-1-t) of axis a.
      size_t es = ir::dtype_size(s.dtype);
      int64_t outer = 1, inner = 1;
      for (int64_t d = 0; d < a; ++d) outer *= s.shape[size_t(d)];
      for (int64_t d = a; d < r; ++d) inner *= s.shape[size_t(d)];
      size_t blk = size_t(inner) * es;
      for (int64_t t = 0; t < t_len; ++t) {
        int64_t pos = out_dirs_[k] ? t_len - 1 - t : t;
        const uint8_t* src = s.bytes.data() + size_t(t) * s.per;
        for (int64_t q = 0; q < outer; ++q)
          std::memcpy(o.data() + (size_t(q) * size_t(t_len) + size_t(pos)) * blk,
                      src + size_t(q) * blk, blk);
      }
    }
  }

  // Copies index `idx` of axis `a` of x into `dst` (the axis removed).
  static void slice(const In& x, int64_t a, int64_t idx, Buf& dst) {
    const auto& s = *x.shape;
    std::vector<int64_t> shape;
    int64_t outer = 1, inner = 1;
    for (size_t d = 0; d < s.size(); ++d) {
      if (int64_t(d) != a) shape.push_back(s[d]);
      if (int64_t(d) < a) outer *= s[d];
      if (int64_t(d) > a) inner *= s[d];
    }
    size_t es = ir::dtype_size(x.dtype), blk = size_t(inner) * es;
    dst.reserve(size_t(outer) * blk);
    dst.dtype = x.dtype;
    dst.shape = shape;
    dst.size = size_t(outer) * blk;
    const auto* src = static_cast<const uint8_t*>(x.data);
    int64_t len = s[size_t(a)];
    for (int64_t q = 0; q < outer; ++q)
      std::memcpy(dst.data() + size_t(q) * blk, src + (size_t(q) * size_t(len) + size_t(idx)) * blk,
                  blk);
  }

  const ir::Graph& sub_;
  bool v8_ = false;
  size_t lead_ = 0, m_ = 0, n_states_ = 0, k_scan_ = 0;
  std::vector<int64_t> in_axes_, in_dirs_, out_axes_, out_dirs_;
  std::unique_ptr<Body> body_;
};

// ---------------------------------------------------------- SequenceMap
// The body runs once per element of input 0; other sequence inputs give
// their element at the same position (lengths must agree), tensor inputs
// are passed whole every time.  Body outputs become output elements.
class SequenceMapRunner : public NodeRunner {
 public:
  SequenceMapRunner(const ir::Node& n, const ir::Graph& sub, const partition::BackendSet& set,
                    const Options& opts)
      : NodeRunner(n), sub_(sub) {
    size_t ne = ir::explicit_inputs(n);
    require_inputs(n, 0, ne, "a SequenceMap input");
    std::vector<Formal> types;
    for (size_t i = 0; i < ne; ++i) {
      const ir::Value& v = sub.value(n.inputs[i]);
      bool seq = v.kind == ValueKind::kSequence;
      if ((i == 0 && !seq) || (!seq && v.kind != ValueKind::kTensor))
        ir::node_error(ErrorCode::kMalformedModel, n,
                       "input " + std::to_string(i) + " ('" + v.name + "') is a " +
                           ir::kind_name(v.kind) +
                           (i == 0 ? "; input 0 must be a sequence"
                                   : "; SequenceMap takes sequences and tensors"));
      is_seq_.push_back(seq);
      types.push_back({v.dtype});
    }
    body_ = std::make_unique<Body>(n, sub, "body", types, set, opts);
    check_outputs(n, *body_, "body", n.outputs.size(), "the node");
    for (size_t k = 0; k < body_->outputs(); ++k)
      if (body_->output_kind(k) != ValueKind::kTensor)
        ir::node_error(ErrorCode::kMalformedModel, n,
                       "body output " + std::to_string(k) + " is a " +
                           ir::kind_name(body_->output_kind(k)) +
                           "; SequenceMap outputs are sequences of tensors");
    // Its outputs are sequences, whose elements hold bytes only.
    for (size_t k = 0; k < body_->outputs(); ++k)
      if (body_->output_dtype(k) == DType::kString)
        ir::node_error(ErrorCode::kUnsupportedOp, n,
                       "body output " + std::to_string(k) +
                           " is a string tensor; sequences of strings are not supported");
  }

  void run(RunContext& ctx) override {
    size_t ne = is_seq_.size();
    std::vector<const HostTensor*> in(ne);
    size_t len = 0;
    for (size_t i = 0; i < ne; ++i) {
      in[i] = &ctx.tensor(n_.inputs[i]);
      if (!is_seq_[i]) continue;
      if (!in[i]->seq)
        ir::node_error(ErrorCode::kInternal, n_,
                       "input " + std::to_string(i) + " holds no sequence");
      size_t l = in[i]->seq->items.size();
      if (i == 0) len = l;
      if (l != len)
        ir::node_error(ErrorCode::kRuntime, n_,
                       "input " + std::to_string(i) + " has " + std::to_string(l) +
                           " elements, input 0 has " + std::to_string(len) +
                           " (sequence inputs must have the same length)");
    }
    std::vector<std::shared_ptr<ir::Sequence>> outs(n_.outputs.size());
    for (size_t k = 0; k < outs.size(); ++k) {
      outs[k] = std::make_shared<ir::Sequence>();
      ValueId o = n_.outputs[k];
      outs[k]->dtype = o == ir::kNoValue ? DType::kUndefined : sub_.value(o).dtype;
    }
    std::vector<In> formal(ne);
    for (size_t it = 0; it < len; ++it) {
      for (size_t i = 0; i < ne; ++i)
        formal[i] = is_seq_[i] ? view(*in[i]->seq->items[it]) : view(*in[i]);
      body_->run(ctx, formal, iteration(int64_t(it)));
      for (size_t k = 0; k < outs.size(); ++k) {
        TensorView t = body_->output(k);
        if (outs[k]->dtype == DType::kUndefined) outs[k]->dtype = t.dtype;
        // Copied: the body's memory is reused by its next run.
        outs[k]->items.push_back(ir::copy_element(t.dtype, t.shape, t.data, t.size));
      }
    }
    for (size_t k = 0; k < outs.size(); ++k)
      if (n_.outputs[k] != ir::kNoValue) ctx.tensor(n_.outputs[k]).seq = outs[k];
  }

 private:
  const ir::Graph& sub_;
  std::vector<bool> is_seq_;
  std::unique_ptr<Body> body_;
};

class ControlFlowProgram : public Program {
 public:
  ir::Graph sub;  // the partition; runners refer to its nodes and values
  std::vector<std::unique_ptr<NodeRunner>> nodes;
};

}  // namespace

Support ControlFlowBackend::supports(const ir::Graph& g, const ir::Node& n) const {
  (void)g;
  if (!ir::is_control_flow(n)) return Support::no("not a control-flow op");
  return Support::yes();
}

std::unique_ptr<Program> ControlFlowBackend::compile(const ir::Graph& subgraph,
                                                     const CompileOptions& o) {
  (void)o;
  auto p = std::make_unique<ControlFlowProgram>();
  p->sub = subgraph;
  for (const ir::Node& n : p->sub.nodes) {
    if (n.dead) continue;
    if (n.op == "If")
      p->nodes.push_back(std::make_unique<IfRunner>(n, p->sub, set_, opts_));
    else if (n.op == "Loop")
      p->nodes.push_back(std::make_unique<LoopRunner>(n, p->sub, set_, opts_));
    else if (n.op == "Scan")
      p->nodes.push_back(std::make_unique<ScanRunner>(n, p->sub, set_, opts_));
    else if (n.op == "SequenceMap")
      p->nodes.push_back(std::make_unique<SequenceMapRunner>(n, p->sub, set_, opts_));
    else
      ir::node_error(ErrorCode::kInternal, n, "is not a control-flow op");
  }
  return p;
}

void ControlFlowBackend::run(Program& p, RunContext& ctx) {
  for (auto& r : static_cast<ControlFlowProgram&>(p).nodes) r->run(ctx);
}

}  // namespace rnpu::runtime
