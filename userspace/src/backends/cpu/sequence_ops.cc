#include "sequence_ops.h"

#include <chrono>
#include <cstring>
#include <set>
#include <unordered_map>

#include "convert.h"

namespace rnpu::cpu {

namespace {

using ir::ValueKind;

// A failure in the node's inputs: a run-time error naming the node.
struct SeqError {
  std::string why;
};
[[noreturn]] void fail(const std::string& why) {
  throw SeqError{why};
}

const std::set<std::string>& ops() {
  static const std::set<std::string> s = {
      "SequenceEmpty", "SequenceConstruct",  "SequenceAt",        "SequenceInsert",
      "SequenceErase", "SequenceLength",     "SplitToSequence",   "ConcatFromSequence",
      "Optional",      "OptionalGetElement", "OptionalHasElement"};
  return s;
}

size_t tensor_bytes(const HostTensor& h) {
  int64_t n = 1;
  for (int64_t d : h.shape) n *= d;
  return size_t(n) * ir::dtype_size(h.dtype);
}

class Run {
 public:
  Run(const Step& s, RunContext& ctx) : s_(s), ctx_(ctx) {}

  bool has(size_t i) const { return i < s_.inputs.size() && s_.inputs[i] != ir::kNoValue; }
  HostTensor& in(size_t i) {
    if (!has(i)) fail("input " + std::to_string(i) + " is missing");
    return ctx_.tensor(s_.inputs[i]);
  }
  const ir::Sequence& seq(size_t i) {
    HostTensor& h = in(i);
    if (h.absent) fail("input " + std::to_string(i) + " is an optional without element");
    if (!h.seq) fail("input " + std::to_string(i) + " is not a sequence");
    return *h.seq;
  }
  HostTensor& tensor(size_t i) {
    HostTensor& h = in(i);
    if (h.seq || h.absent) fail("input " + std::to_string(i) + " is not a tensor");
    return h;
  }
  // A position input: a scalar int32/int64 (a one-element tensor accepted).
  int64_t scalar_int(size_t i, const char* what) {
    HostTensor& h = tensor(i);
    if (tensor_bytes(h) != ir::dtype_size(h.dtype) ||
        (h.dtype != ir::DType::kInt64 && h.dtype != ir::DType::kInt32))
      fail(std::string(what) + " must be a scalar int32 or int64 tensor");
    return h.dtype == ir::DType::kInt64 ? *static_cast<const int64_t*>(h.data)
                                        : *static_cast<const int32_t*>(h.data);
  }
  std::shared_ptr<const ir::ConstTensor> copy(size_t i) {
    HostTensor& h = tensor(i);
    return ir::copy_element(h.dtype, h.shape, h.data, tensor_bytes(h));
  }

  bool has_out(size_t i) const { return i < s_.outputs.size() && s_.outputs[i] != ir::kNoValue; }
  void out_seq(size_t i, std::shared_ptr<const ir::Sequence> q) {
    if (has_out(i)) ctx_.tensor(s_.outputs[i]).seq = std::move(q);
  }
  void out_absent(size_t i) {
    if (has_out(i)) ctx_.tensor(s_.outputs[i]).absent = true;
  }
  // Memory of the output tensor: the planned slot when it fits, else the
  // runtime's allocation.
  void* out_tensor(size_t i, ir::DType dt, const std::vector<int64_t>& shape) {
    if (!has_out(i)) return nullptr;
    HostTensor& h = ctx_.tensor(s_.outputs[i]);
    size_t bytes = size_t(shape_numel(shape)) * ir::dtype_size(dt);
    if (h.data && h.dtype == dt && h.shape == shape && h.size >= bytes) return h.data;
    return ctx_.allocate(s_.outputs[i], dt, shape);
  }
  void out_copy(size_t i, ir::DType dt, const std::vector<int64_t>& shape, const void* src,
                size_t bytes) {
    void* p = out_tensor(i, dt, shape);
    if (p && bytes) std::memcpy(p, src, bytes);
  }
  // The sequence, optional or tensor in input i, passed on to output 0.
  void forward(size_t i) {
    HostTensor& h = in(i);
    if (h.absent)
      out_absent(0);
    else if (h.seq)
      out_seq(0, h.seq);
    else
      out_copy(0, h.dtype, h.shape, h.data, tensor_bytes(h));
  }

  const Attrs& attrs() const { return s_.attrs; }
  const Step& step() const { return s_; }

 private:
  const Step& s_;
  RunContext& ctx_;
};

// Normalises a position against [-n, n-1] (or [-n, n] with `end_ok`).
size_t position(int64_t p, size_t n, bool end_ok, const char* what) {
  int64_t sn = int64_t(n);
  int64_t hi = end_ok ? sn : sn - 1;
  if (p < -sn || p > hi)
    fail(std::string(what) + " " + std::to_string(p) + " is out of range for a sequence of " +
         std::to_string(n) + " (allowed " + std::to_string(-sn) + ".." + std::to_string(hi) + ")");
  return size_t(p < 0 ? p + sn : p);
}

int64_t norm_axis(int64_t a, int64_t r, const char* what) {
  if (a < -r || a >= r)
    fail(std::string(what) + " " + std::to_string(a) + " is out of range for rank " +
         std::to_string(r));
  return a < 0 ? a + r : a;
}

// Products of dims before and after `axis`.
void outer_inner(const std::vector<int64_t>& dims, int64_t axis, size_t esize, size_t* outer,
                 size_t* inner) {
  *outer = 1;
  *inner = esize;
  for (int64_t d = 0; d < int64_t(dims.size()); ++d) {
    if (d < axis) *outer *= size_t(dims[size_t(d)]);
    if (d > axis) *inner *= size_t(dims[size_t(d)]);
  }
}

void sequence_construct(Run& r) {
  auto q = std::make_shared<ir::Sequence>();
  for (size_t i = 0; i < r.step().inputs.size(); ++i) {
    HostTensor& h = r.tensor(i);
    if (i == 0) q->dtype = h.dtype;
    if (h.dtype != q->dtype)
      fail("input " + std::to_string(i) + " is " + ir::dtype_name(h.dtype) + ", input 0 is " +
           ir::dtype_name(q->dtype));
    q->items.push_back(r.copy(i));
  }
  r.out_seq(0, std::move(q));
}

void sequence_empty(Run& r) {
  auto q = std::make_shared<ir::Sequence>();
  q->dtype = ir::DType(r.attrs().get_int("dtype", int64_t(ir::DType::kFloat32)));
  r.out_seq(0, std::move(q));
}

void sequence_at(Run& r) {
  const ir::Sequence& q = r.seq(0);
  const ir::ConstTensor& e =
      *q.items[position(r.scalar_int(1, "position"), q.items.size(), false, "position")];
  r.out_copy(0, e.dtype, e.dims, e.data, e.size);
}

void sequence_insert(Run& r) {
  const ir::Sequence& q = r.seq(0);
  HostTensor& t = r.tensor(1);
  if (t.dtype != q.dtype)
    fail(std::string("tensor is ") + ir::dtype_name(t.dtype) + ", the sequence holds " +
         ir::dtype_name(q.dtype));
  size_t at = r.has(2) ? position(r.scalar_int(2, "position"), q.items.size(), true, "position")
                       : q.items.size();
  auto out = std::make_shared<ir::Sequence>(q);  // shares the elements
  out->items.insert(out->items.begin() + std::ptrdiff_t(at), r.copy(1));
  r.out_seq(0, std::move(out));
}

void sequence_erase(Run& r) {
  const ir::Sequence& q = r.seq(0);
  if (q.items.empty()) fail("cannot erase from an empty sequence");
  size_t at = r.has(1) ? position(r.scalar_int(1, "position"), q.items.size(), false, "position")
                       : q.items.size() - 1;
  auto out = std::make_shared<ir::Sequence>(q);
  out->items.erase(out->items.begin() + std::ptrdiff_t(at));
  r.out_seq(0, std::move(out));
}

void sequence_length(Run& r) {
  int64_t n = int64_t(r.seq(0).items.size());
  r.out_copy(0, ir::DType::kInt64, {}, &n, sizeof n);
}

void split_to_sequence(Run& r) {
  HostTensor& x = r.tensor(0);
  int64_t rank = int64_t(x.shape.size());
  if (rank == 0) fail("input must have rank >= 1");
  int64_t axis = norm_axis(r.attrs().get_int("axis", 0), rank, "axis");
  const int64_t dim = x.shape[size_t(axis)];
  std::vector<int64_t> lengths;
  if (!r.has(1)) {
    lengths.assign(size_t(dim), 1);
  } else {
    HostTensor& sp = r.tensor(1);
    if (sp.dtype != ir::DType::kInt64 && sp.dtype != ir::DType::kInt32)
      fail("split must be int32 or int64");
    if (sp.shape.size() > 1) fail("split must be a scalar or 1-D");
    size_t n = tensor_bytes(sp) / ir::dtype_size(sp.dtype);
    auto at = [&](size_t i) {
      return sp.dtype == ir::DType::kInt64 ? static_cast<const int64_t*>(sp.data)[i]
                                           : int64_t(static_cast<const int32_t*>(sp.data)[i]);
    };
    if (sp.shape.empty()) {
      int64_t len = at(0);
      if (len <= 0) fail("a scalar split must be positive, got " + std::to_string(len));
      for (int64_t p = 0; p < dim; p += len) lengths.push_back(std::min(len, dim - p));
    } else {
      int64_t sum = 0;
      for (size_t i = 0; i < n; ++i) {
        if (at(i) < 0) fail("split lengths must be >= 0, got " + std::to_string(at(i)));
        lengths.push_back(at(i));
        sum += at(i);
        if (sum > dim) break;
      }
      if (sum != dim)
        fail("split lengths sum to " + std::to_string(sum) + ", axis " + std::to_string(axis) +
             " has " + std::to_string(dim));
    }
  }
  bool squeeze = !r.has(1) && r.attrs().get_int("keepdims", 1) == 0;
  size_t esize = ir::dtype_size(x.dtype), outer, inner;
  outer_inner(x.shape, axis, esize, &outer, &inner);
  auto q = std::make_shared<ir::Sequence>();
  q->dtype = x.dtype;
  const auto* src = static_cast<const uint8_t*>(x.data);
  int64_t start = 0;
  for (int64_t len : lengths) {
    std::vector<int64_t> dims = x.shape;
    dims[size_t(axis)] = len;
    if (squeeze) dims.erase(dims.begin() + axis);
    auto c = ir::ConstTensor::make(x.dtype, dims);
    auto* dst = static_cast<uint8_t*>(c->mutable_data());
    size_t chunk = size_t(len) * inner;
    for (size_t o = 0; o < outer && chunk; ++o)
      std::memcpy(dst + o * chunk, src + (o * size_t(dim) + size_t(start)) * inner, chunk);
    start += len;
    q->items.push_back(std::move(c));
  }
  r.out_seq(0, std::move(q));
}

void concat_from_sequence(Run& r) {
  const ir::Sequence& q = r.seq(0);
  if (q.items.empty()) fail("cannot concatenate an empty sequence");
  if (!r.attrs().has("axis")) fail("attribute 'axis' is required");
  bool new_axis = r.attrs().get_int("new_axis", 0) != 0;
  const std::vector<int64_t>& first = q.items[0]->dims;
  int64_t rank = int64_t(first.size()) + (new_axis ? 1 : 0);
  if (rank == 0) fail("elements must have rank >= 1 without new_axis");
  int64_t axis = norm_axis(r.attrs().get_int("axis", 0), rank, "axis");
  // Every element as a tensor of the output's rank (new_axis: a 1 inserted).
  std::vector<int64_t> out = first;
  if (new_axis) out.insert(out.begin() + axis, 0);
  out[size_t(axis)] = 0;
  for (size_t k = 0; k < q.items.size(); ++k) {
    std::vector<int64_t> d = q.items[k]->dims;
    if (new_axis && d.size() == first.size()) d.insert(d.begin() + axis, 1);
    bool ok = int64_t(d.size()) == rank;
    for (int64_t a = 0; ok && a < rank; ++a)
      if (a != axis && d[size_t(a)] != out[size_t(a)]) ok = false;
    if (!ok || (new_axis && q.items[k]->dims != first))
      fail("element " + std::to_string(k) + " has shape " + ir::Shape(q.items[k]->dims).str() +
           ", incompatible with element 0's " + ir::Shape(first).str() + " for axis " +
           std::to_string(axis));
    out[size_t(axis)] += d[size_t(axis)];
  }
  size_t esize = ir::dtype_size(q.dtype), outer, inner;
  outer_inner(out, axis, esize, &outer, &inner);
  auto* dst = static_cast<uint8_t*>(r.out_tensor(0, q.dtype, out));
  if (!dst) return;
  size_t row = size_t(out[size_t(axis)]) * inner, at = 0;
  for (const auto& e : q.items) {
    size_t len = e->dims.size() == out.size() ? size_t(e->dims[size_t(axis)]) : 1;
    size_t chunk = len * inner;
    const auto* src = static_cast<const uint8_t*>(e->data);
    for (size_t o = 0; o < outer && chunk; ++o)
      std::memcpy(dst + o * row + at, src + o * chunk, chunk);
    at += chunk;
  }
}

void optional_op(Run& r) {
  if (r.has(0))
    r.forward(0);
  else
    r.out_absent(0);
}

void optional_get_element(Run& r) {
  if (r.in(0).absent) fail("the optional input has no element");
  r.forward(0);
}

void optional_has_element(Run& r) {
  uint8_t present = r.has(0) && !r.in(0).absent;
  r.out_copy(0, ir::DType::kBool, {}, &present, 1);
}

using Fn = void (*)(Run&);

Fn find(const std::string& op) {
  static const std::unordered_map<std::string, Fn> m = {
      {"SequenceConstruct", sequence_construct},
      {"SequenceEmpty", sequence_empty},
      {"SequenceAt", sequence_at},
      {"SequenceInsert", sequence_insert},
      {"SequenceErase", sequence_erase},
      {"SequenceLength", sequence_length},
      {"SplitToSequence", split_to_sequence},
      {"ConcatFromSequence", concat_from_sequence},
      {"Optional", optional_op},
      {"OptionalGetElement", optional_get_element},
      {"OptionalHasElement", optional_has_element},
      {"Identity", [](Run& r) { r.forward(0); }},
  };
  auto it = m.find(op);
  return it == m.end() ? nullptr : it->second;
}

}  // namespace

bool is_sequence_op(const std::string& op) {
  return ops().count(op) != 0;
}

bool touches_sequences(const ir::Graph& g, const ir::Node& n) {
  for (const auto* list : {&n.inputs, &n.outputs})
    for (ir::ValueId v : *list)
      if (v != ir::kNoValue && g.value(v).kind != ValueKind::kTensor) return true;
  return false;
}

Support sequence_support(const ir::Graph& g, const ir::Node& n) {
  if (!find(n.op)) return Support::no(n.op + " on sequence or optional values unsupported");
  if (n.layout != ir::Layout::kAny && n.layout != ir::Layout::kNCHW)
    return Support::no("NHWC node layout unsupported");
  for (const auto& [k, a] : n.attrs.all()) {
    if (a.kind == ir::Attribute::Kind::kGraph) return Support::no("graph attribute '" + k + "'");
    if (k.rfind("rnpu.", 0) == 0) return Support::no("attribute '" + k + "' unsupported");
  }
  for (const auto* list : {&n.inputs, &n.outputs})
    for (ir::ValueId v : *list) {
      if (v == ir::kNoValue) continue;
      const ir::Value& val = g.value(v);
      if (val.quant) return Support::no("quantized values unsupported");
      if (val.dtype == ir::DType::kString) return Support::no("string tensors unsupported");
    }
  return Support::yes();
}

void run_sequence_step(const Step& s, RunContext& ctx) {
  auto t0 = std::chrono::steady_clock::now();
  Fn fn = find(s.op);
  if (!fn) throw Error(ErrorCode::kInternal, "no sequence kernel", s.name, s.op);
  Run r(s, ctx);
  try {
    fn(r);
  } catch (const SeqError& e) {
    throw Error(ErrorCode::kRuntime, e.why, s.name, s.op);
  }
  record_step(s, ctx, t0);
}

}  // namespace rnpu::cpu
