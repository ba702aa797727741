#include "runtime/executor.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <unordered_map>

#include "passes/shape_inference.h"
#include "plan/memory_planner.h"

namespace rnpu::runtime {

using ir::DType;
using ir::ValueId;
using Clock = std::chrono::steady_clock;

struct Executor::Slot {
  HostTensor t;
  bool planned = false;  // has an arena offset for the resolved shape
  size_t offset = 0, planned_bytes = 0;
  std::unique_ptr<uint8_t, void (*)(void*)> dyn{nullptr, std::free};
  size_t dyn_cap = 0;
  bool allocated = false;  // data valid for this run
};

namespace {

// XNNPACK kernels may read up to XNN_EXTRA_BYTES (16) past the end of a
// tensor; every buffer the runtime hands to a backend leaves that much
// allocated slack after its last tensor.
constexpr size_t kReadSlack = 16;

// Bytes of a dense tensor; no allocation unless it fails (runs call this).
size_t bytes_of(DType dt, std::span<const int64_t> shape, const char* kind,
                const std::string& name) {
  int64_t n = 1;
  bool ok = ir::dtype_size(dt) != 0;
  for (int64_t d : shape) {
    if (d < 0 || d > ir::kMaxElements || (n > 0 && d > ir::kMaxElements / n)) {
      ok = false;
      break;
    }
    n *= d;
  }
  if (!ok)
    throw Error(ErrorCode::kShapeMismatch,
                std::string(kind) + " '" + name + "': shape " +
                    ir::Shape(std::vector<int64_t>(shape.begin(), shape.end())).str() + " of " +
                    ir::dtype_name(dt) + " is invalid");
  return size_t(n) * ir::dtype_size(dt);
}

TensorInfo info_of(const ir::Value& v) {
  TensorInfo t;
  t.name = v.name;
  t.dtype = v.dtype;
  t.kind = v.kind;
  if (v.shape.has_rank)
    for (const ir::Dim& d : v.shape.dims) {
      t.shape.push_back(d.value);
      t.dim_names.push_back(d.symbol);
    }
  return t;
}

}  // namespace

// The runtime side of one partition's run.
class Executor::PartCtx : public RunContext {
 public:
  PartCtx(Executor& e, const CompiledPartition& p) : e_(e), p_(p) {}
  HostTensor& tensor(ValueId v) override { return e_.slots_[size_t(parent(v))].t; }
  void* allocate(ValueId v, DType dt, std::span<const int64_t> shape) override {
    return e_.allocate(parent(v), dt, shape);
  }
  std::span<uint8_t> workspace() override { return e_.workspace_of(p_); }
  bool profiling() const override { return e_.opts_.profiling; }
  void record(const OpProfile& p) override {
    e_.profile_.push_back(p);
    ++recorded;
  }
  size_t recorded = 0;

 private:
  ValueId parent(ValueId v) const {
    if (v < 0 || size_t(v) >= p_.sub_to_parent.size())
      throw Error(ErrorCode::kInternal, "backend '" + p_.backend->name() + "' asked for value id " +
                                            std::to_string(v) + " outside its subgraph");
    return p_.sub_to_parent[size_t(v)];
  }
  Executor& e_;
  const CompiledPartition& p_;
};

std::string Executor::fingerprint(const ir::Graph& sub, const std::string& format) {
  std::string s = format + ";";
  for (const ir::Node& n : sub.nodes) {
    if (n.dead) continue;
    s += n.op + ":" + n.name + "(";
    for (ValueId v : n.inputs) s += v == ir::kNoValue ? "-," : sub.value(v).shape.str() + ",";
    s += ")->(";
    for (ValueId v : n.outputs) s += v == ir::kNoValue ? "-," : sub.value(v).shape.str() + ",";
    s += ");";
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%zu-%08x", sub.live_node_count(),
                artifact::crc32({reinterpret_cast<const uint8_t*>(s.data()), s.size()}));
  return buf;
}

std::vector<NpuReport> Executor::npu_reports() const {
  std::lock_guard lock(mu_);
  std::vector<NpuReport> out;
  for (const CompiledPartition& p : parts_) {
    NpuReport r;
    if (p.program && p.program->npu_report(&r)) out.push_back(r);
  }
  return out;
}

std::vector<artifact::ProgramBlob> Executor::export_programs() const {
  std::vector<artifact::ProgramBlob> out;
  for (size_t i = 0; i < parts_.size(); ++i) {
    const CompiledPartition& p = parts_[i];
    std::string format = p.backend->program_format();
    if (format.empty()) continue;
    artifact::ProgramBlob b;
    b.partition = uint32_t(i);
    b.format = format;
    b.fingerprint = fingerprint(p.sub, format);
    b.data = p.backend->save_program(*p.program);
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<uint8_t> Executor::export_graph() const {
  // A compact copy; partitions find their nodes in it by (unique) name.
  ir::Graph c = g_;
  std::vector<std::vector<std::string>> names;
  for (const CompiledPartition& p : parts_) {
    names.emplace_back();
    for (ir::NodeId id : p.nodes) names.back().push_back(g_.node(id).name);
  }
  c.compact();
  std::unordered_map<std::string, ir::NodeId> by_name;
  for (size_t i = 0; i < c.nodes.size(); ++i) by_name[c.nodes[i].name] = ir::NodeId(i);
  std::vector<artifact::PlannedPartition> plan;
  for (size_t pi = 0; pi < parts_.size(); ++pi) {
    artifact::PlannedPartition pp{parts_[pi].backend->name(), {}};
    for (const std::string& n : names[pi]) pp.nodes.push_back(by_name.at(n));
    plan.push_back(std::move(pp));
  }
  return artifact::encode_graph(c, plan);
}

Executor::Executor(ir::Graph g, const partition::BackendSet& set, const Options& opts,
                   const std::vector<artifact::ProgramBlob>* precompiled,
                   const std::vector<artifact::PlannedPartition>* plan)
    : g_(std::move(g)), opts_(opts) {
  g_.rebuild_links();
  host_ = std::make_unique<ControlFlowBackend>(set, opts);
  partition::BackendSet with_host = set;
  with_host.control_flow = host_.get();
  partition::PartitionResult pr;
  if (plan) {
    pr = partition::apply_plan(g_, with_host, *plan);
  } else {
    pr = partition::partition_graph(g_, with_host);
    // Each backend rewrites its own partitions (QDQ folding, fusion), as
    // the pipeline's optimisation level allows.
    if (opts.optimization_level > 0 && !opts.reference_kernels)
      partition::optimize_partitions(g_, pr);
  }
  decisions_ = std::move(pr.decisions);
  order_ = std::move(pr.order);
  CompileOptions co;
  co.num_threads = opts.num_threads > 0 ? opts.num_threads
                                        : int(std::max(1u, std::thread::hardware_concurrency()));
  co.profiling = opts.profiling;
  co.reference_kernels = opts.reference_kernels;
  int step = 0;
  for (auto& p : pr.partitions) {
    CompiledPartition cp;
    cp.backend = p.backend;
    cp.nodes = p.nodes;
    cp.sub = partition::make_subgraph(g_, p, &cp.sub_to_parent);
    cp.first_step = step;
    step += int(p.nodes.size());
    cp.last_step = step - 1;
    std::string format = p.backend->program_format();
    const artifact::ProgramBlob* blob = nullptr;
    if (precompiled && !format.empty()) {
      std::string fp = fingerprint(cp.sub, format);
      for (const artifact::ProgramBlob& b : *precompiled)
        if (b.partition == parts_.size() && b.format == format && b.fingerprint == fp) blob = &b;
    }
    if (blob) {
      cp.program = p.backend->load_program(cp.sub, blob->data, co);
      ++programs_loaded_;
    } else {
      cp.program = p.backend->compile(cp.sub, co);
    }
    if (!cp.program)
      throw Error(ErrorCode::kInternal, "backend '" + p.backend->name() + "' returned no program");
    parts_.push_back(std::move(cp));
  }
  for (ValueId v : g_.inputs) input_info_.push_back(info_of(g_.value(v)));
  for (ValueId v : g_.outputs) output_info_.push_back(info_of(g_.value(v)));
  slots_.resize(g_.values.size());
  in_bind_.resize(g_.inputs.size());
  out_bind_.resize(g_.outputs.size());
  profile_.reserve(order_.size() + parts_.size());
}

Executor::~Executor() {
  for (auto& p : parts_)
    if (p.program) p.backend->destroy(std::move(p.program));
}

const TensorInfo& Executor::checked_input(size_t i) const {
  if (i >= in_bind_.size())
    throw Error(ErrorCode::kInvalidArgument, "input index " + std::to_string(i) +
                                                 " out of range (model has " +
                                                 std::to_string(in_bind_.size()) + " inputs)");
  return input_info_[i];
}

void Executor::set_input(size_t i, const void* data, size_t size, std::span<const int64_t> shape) {
  std::lock_guard lock(mu_);
  const TensorInfo& info = checked_input(i);
  std::string what = "input '" + info.name + "'";
  if (ir::is_sequence_kind(info.kind))
    throw Error(ErrorCode::kInvalidArgument,
                what + " is a " + ir::kind_name(info.kind) + ": bind it with set_input_sequence");
  if (info.dtype == DType::kString)
    throw Error(ErrorCode::kInvalidArgument,
                what + " is a string tensor: bind it with set_input_strings");
  check_input_shape(i, shape);
  size_t need = bytes_of(info.dtype, shape, "input", info.name);
  if (size != need)
    throw Error(ErrorCode::kShapeMismatch,
                what + ": buffer is " + std::to_string(size) + " bytes, shape " +
                    ir::Shape(std::vector<int64_t>(shape.begin(), shape.end())).str() + " of " +
                    ir::dtype_name(info.dtype) + " needs " + std::to_string(need));
  if (!data && need) throw Error(ErrorCode::kInvalidArgument, what + ": data is NULL");
  Binding& b = in_bind_[i];
  b.data = data;
  b.size = size;
  b.shape.assign(shape.begin(), shape.end());
  b.set = true;
  b.seq = nullptr;
  b.strings = nullptr;
  b.absent = false;
}

// Shape checks shared by tensor and string inputs (mu_ held).
void Executor::check_input_shape(size_t i, std::span<const int64_t> shape) const {
  const TensorInfo& info = input_info_[i];
  std::string what = "input '" + info.name + "'";
  ir::Shape given(std::vector<int64_t>(shape.begin(), shape.end()));
  for (int64_t d : shape)
    if (d < 0)
      throw Error(ErrorCode::kShapeMismatch, what + ": negative dimension in " + given.str());
  const ir::Shape& decl = g_.value(g_.inputs[i]).shape;
  if (decl.has_rank) {
    bool ok = decl.rank() == shape.size();
    for (size_t d = 0; ok && d < shape.size(); ++d)
      if (decl.dims[d].known() && decl.dims[d].value != shape[d]) ok = false;
    if (!ok)
      throw Error(ErrorCode::kShapeMismatch,
                  what + ": shape " + given.str() + " does not match the model's " + decl.str());
  }
}

void Executor::set_input_strings(size_t i, std::span<const std::string> elements,
                                 std::span<const int64_t> shape) {
  std::lock_guard lock(mu_);
  const TensorInfo& info = checked_input(i);
  std::string what = "input '" + info.name + "'";
  if (info.kind != ir::ValueKind::kTensor || info.dtype != DType::kString)
    throw Error(ErrorCode::kInvalidArgument, what + " is not a string tensor (it is " +
                                                 ir::type_str(info.kind, info.dtype) + ")");
  check_input_shape(i, shape);
  auto n = ir::checked_numel(std::vector<int64_t>(shape.begin(), shape.end()));
  if (!n || size_t(*n) != elements.size())
    throw Error(ErrorCode::kShapeMismatch,
                what + ": " + std::to_string(elements.size()) + " strings given, shape " +
                    ir::Shape(std::vector<int64_t>(shape.begin(), shape.end())).str() + " needs " +
                    (n ? std::to_string(*n) : std::string("too many")));
  Binding& b = in_bind_[i];
  b.data = nullptr;
  b.size = 0;
  b.shape.assign(shape.begin(), shape.end());
  b.set = true;
  b.seq = nullptr;
  b.strings = std::make_shared<const ir::Strings>(elements.begin(), elements.end());
  b.absent = false;
}

void Executor::set_input_sequence(size_t i, std::span<const TensorView> elements) {
  std::lock_guard lock(mu_);
  const TensorInfo& info = checked_input(i);
  std::string what = "input '" + info.name + "'";
  if (!ir::is_sequence_kind(info.kind))
    throw Error(ErrorCode::kInvalidArgument,
                what + " is a " + ir::kind_name(info.kind) + ", not a sequence");
  const ir::Shape& decl = g_.value(g_.inputs[i]).shape;
  auto seq = std::make_shared<ir::Sequence>();
  seq->dtype = info.dtype;
  for (size_t k = 0; k < elements.size(); ++k) {
    const TensorView& e = elements[k];
    std::string ew = what + " element " + std::to_string(k);
    if (e.dtype != info.dtype)
      throw Error(ErrorCode::kShapeMismatch, ew + " is " + ir::dtype_name(e.dtype) +
                                                 ", the sequence holds " +
                                                 ir::dtype_name(info.dtype));
    ir::Shape given(e.shape);
    for (int64_t d : e.shape)
      if (d < 0)
        throw Error(ErrorCode::kShapeMismatch, ew + ": negative dimension in " + given.str());
    if (decl.has_rank) {
      bool ok = decl.rank() == e.shape.size();
      for (size_t d = 0; ok && d < e.shape.size(); ++d)
        if (decl.dims[d].known() && decl.dims[d].value != e.shape[d]) ok = false;
      if (!ok)
        throw Error(
            ErrorCode::kShapeMismatch,
            ew + ": shape " + given.str() + " does not match the element shape " + decl.str());
    }
    size_t need = bytes_of(e.dtype, e.shape, "input", info.name);
    if (e.size != need)
      throw Error(ErrorCode::kShapeMismatch, ew + ": buffer is " + std::to_string(e.size) +
                                                 " bytes, shape " + given.str() + " needs " +
                                                 std::to_string(need));
    if (!e.data && need) throw Error(ErrorCode::kInvalidArgument, ew + ": data is NULL");
    // Used in place, as set_input's buffers: the caller keeps it alive.
    auto c = std::make_shared<ir::ConstTensor>();
    c->dtype = e.dtype;
    c->dims = e.shape;
    c->data = e.data;
    c->size = need;
    seq->items.push_back(std::move(c));
  }
  Binding& b = in_bind_[i];
  b = Binding{};
  b.seq = std::move(seq);
  b.strings = nullptr;
  b.set = true;
}

void Executor::set_input_sequence(size_t i, std::shared_ptr<const ir::Sequence> seq) {
  std::lock_guard lock(mu_);
  if (i >= in_bind_.size() || !seq)
    throw Error(ErrorCode::kInvalidArgument, "input index " + std::to_string(i) + " out of range");
  const TensorInfo& info = input_info_[i];
  if (!ir::is_sequence_kind(info.kind))
    throw Error(ErrorCode::kShapeMismatch, "input '" + info.name + "' is a " +
                                               ir::kind_name(info.kind) + ", given a sequence");
  if (info.dtype != ir::DType::kUndefined && seq->dtype != ir::DType::kUndefined &&
      seq->dtype != info.dtype)
    throw Error(ErrorCode::kShapeMismatch, "input '" + info.name + "' is a sequence of " +
                                               ir::dtype_name(info.dtype) + ", given one of " +
                                               ir::dtype_name(seq->dtype));
  Binding& b = in_bind_[i];
  b = Binding{};
  b.seq = std::move(seq);
  b.strings = nullptr;
  b.set = true;
}

void Executor::set_input_absent(size_t i) {
  std::lock_guard lock(mu_);
  const TensorInfo& info = checked_input(i);
  if (!ir::is_optional_kind(info.kind))
    throw Error(ErrorCode::kInvalidArgument, "input '" + info.name + "' is a " +
                                                 ir::kind_name(info.kind) +
                                                 ", not an optional: it cannot be absent");
  Binding& b = in_bind_[i];
  b = Binding{};
  b.absent = true;
  b.set = true;
}

void Executor::set_output(size_t i, void* data, size_t size) {
  std::lock_guard lock(mu_);
  if (i >= out_bind_.size())
    throw Error(ErrorCode::kInvalidArgument, "output index " + std::to_string(i) +
                                                 " out of range (model has " +
                                                 std::to_string(out_bind_.size()) + " outputs)");
  const ir::Value& val = g_.value(g_.outputs[i]);
  if (data && val.kind != ir::ValueKind::kTensor)
    throw Error(ErrorCode::kInvalidArgument,
                "output '" + val.name + "' is a " + ir::kind_name(val.kind) +
                    ": it cannot be bound; read it with output_has_element/output_element");
  if (data && val.dtype == DType::kString)
    throw Error(ErrorCode::kInvalidArgument,
                "output '" + val.name +
                    "' is a string tensor: it cannot be bound; read it with "
                    "output_strings");
  if (data && val.shape.is_static() && ir::dtype_size(val.dtype)) {
    size_t need = bytes_of(val.dtype, val.shape.values(), "output", val.name);
    if (size != need)
      throw Error(ErrorCode::kShapeMismatch,
                  "output '" + val.name + "': buffer is " + std::to_string(size) +
                      " bytes, shape " + val.shape.str() + " needs " + std::to_string(need));
  }
  Binding& b = out_bind_[i];
  bool was = b.out != nullptr;
  b.out = data;
  b.size = data ? size : 0;
  if (was != (data != nullptr)) prepared_ = false;  // outputs leave/enter the arena
}

// Resolves shapes for the bound input shapes and plans the arena.
void Executor::prepare() {
  // Only tensor inputs (and present optional tensors) have a bound shape;
  // a sequence keeps its declared element shape, which set_input_sequence
  // holds every element to.
  auto bound_tensor = [&](size_t i) {
    return !ir::is_sequence_kind(g_.value(g_.inputs[i]).kind) && !in_bind_[i].absent;
  };
  bool dynamic = false;
  for (size_t i = 0; i < g_.inputs.size(); ++i)
    if (bound_tensor(i) && !g_.value(g_.inputs[i]).shape.is_static()) dynamic = true;
  resolved_.resize(g_.values.size());
  if (dynamic) {
    ir::Graph work = g_;
    for (size_t i = 0; i < g_.inputs.size(); ++i)
      if (bound_tensor(i)) work.value(g_.inputs[i]).shape = ir::Shape(in_bind_[i].shape);
    passes::infer_shapes(work);
    for (size_t v = 0; v < work.values.size(); ++v) resolved_[v] = work.values[v].shape;
  } else {
    for (size_t v = 0; v < g_.values.size(); ++v) resolved_[v] = g_.values[v].shape;
  }

  resolved_dims_.resize(g_.values.size());
  for (size_t v = 0; v < g_.values.size(); ++v) {
    if (resolved_[v].is_static())
      resolved_dims_[v] = resolved_[v].values();
    else
      resolved_dims_[v].clear();
  }

  // Lifetimes in execution steps.  Values inside a partition of a backend
  // with its own memory are not the runtime's to place.
  std::vector<int> first(g_.values.size(), INT_MAX), last(g_.values.size(), -1);
  std::vector<char> host(g_.values.size(), 0);
  int end = parts_.empty() ? 0 : parts_.back().last_step + 1;
  for (const auto& p : parts_) {
    bool arena = p.backend->uses_host_arena();
    int step = p.first_step;
    for (const ir::Node& n : p.sub.nodes) {
      int def = arena ? step : p.first_step, use = arena ? step : p.last_step;
      for (ValueId sv : n.inputs) {
        if (sv == ir::kNoValue) continue;
        ValueId v = p.sub_to_parent[size_t(sv)];
        last[size_t(v)] = std::max(last[size_t(v)], use);
        if (arena) host[size_t(v)] = 1;
      }
      for (ValueId sv : n.outputs) {
        if (sv == ir::kNoValue) continue;
        ValueId v = p.sub_to_parent[size_t(sv)];
        first[size_t(v)] = std::min(first[size_t(v)], def);
        last[size_t(v)] = std::max(last[size_t(v)], def);
        if (arena) host[size_t(v)] = 1;
      }
      ++step;
    }
    for (ValueId sv : p.sub.inputs) host[size_t(p.sub_to_parent[size_t(sv)])] = 1;
    for (ValueId sv : p.sub.outputs) host[size_t(p.sub_to_parent[size_t(sv)])] = 1;
  }
  for (ValueId v : g_.outputs) last[size_t(v)] = end;

  std::vector<char> caller_out(g_.values.size(), 0);
  for (size_t i = 0; i < g_.outputs.size(); ++i)
    if (out_bind_[i].out) caller_out[size_t(g_.outputs[i])] = 1;

  std::vector<plan::Interval> iv;
  std::vector<ValueId> who;
  for (size_t v = 0; v < g_.values.size(); ++v) {
    Slot& s = slots_[v];
    s.planned = false;
    const ir::Value& val = g_.values[v];
    if (val.is_constant() || !host[v] || first[v] == INT_MAX || caller_out[v]) continue;
    // Sequences hold shared elements, and an optional may be absent: the
    // backend producing them allocates.
    if (val.kind != ir::ValueKind::kTensor) continue;
    auto n = resolved_[v].numel();
    if (!n || ir::dtype_size(val.dtype) == 0) continue;
    iv.push_back({size_t(*n) * ir::dtype_size(val.dtype), first[v], last[v]});
    who.push_back(ValueId(v));
  }
  // The programs' working memory, live over their partition's steps.
  std::vector<size_t> ws_part;
  for (size_t i = 0; i < parts_.size(); ++i) {
    CompiledPartition& p = parts_[i];
    p.workspace = {0, 0};
    size_t bytes = p.program->workspace_bytes();
    if (!bytes) continue;
    if (p.backend->max_in_flight(*p.program) > 1)
      throw Error(ErrorCode::kInternal, "backend '" + p.backend->name() +
                                            "' pipelines runs of a program that needs " +
                                            std::to_string(bytes) + " bytes of host workspace");
    iv.push_back({bytes, p.first_step, p.last_step});
    ws_part.push_back(i);
  }
  plan::MemoryPlan mp = plan::plan_memory(iv, 64);
  if (!plan::plan_is_valid(iv, mp))
    throw Error(ErrorCode::kInternal, "the arena plan overlaps live tensors");
  if (mp.peak + kReadSlack > arena_.size()) arena_ = ArenaMemory(mp.peak + kReadSlack);
  arena_peak_ = mp.peak;
  for (size_t k = 0; k < who.size(); ++k) {
    Slot& s = slots_[size_t(who[k])];
    s.planned = true;
    s.offset = mp.offsets[k];
    s.planned_bytes = iv[k].size;
  }
  for (size_t k = 0; k < ws_part.size(); ++k) {
    size_t at = who.size() + k;
    parts_[ws_part[k]].workspace = {mp.offsets[at], iv[at].size};
  }
  prepared_ = true;
}

std::span<uint8_t> Executor::workspace_of(const CompiledPartition& p) const {
  if (!p.workspace.second) return {};
  return {arena_.data() + p.workspace.first, p.workspace.second};
}

void Executor::reset_slots() {
  static uint8_t empty_tensor[64];
  for (size_t v = 0; v < g_.values.size(); ++v) {
    Slot& s = slots_[v];
    const ir::Value& val = g_.values[v];
    s.t.dtype = val.dtype;
    s.t.quant = val.quant ? &*val.quant : nullptr;
    s.t.seq = nullptr;
    s.t.strings = nullptr;
    s.t.absent = false;
    s.allocated = false;
    if (val.is_constant()) {
      s.t.strings = val.constant->strings;
      s.t.shape = val.constant->dims;
      s.t.data = const_cast<void*>(val.constant->data);
      if (!s.t.data) s.t.data = empty_tensor;
      s.t.size = val.constant->size;
      s.allocated = true;
      continue;
    }
    // Copy-assignment reuses the slot's capacity: no allocation per run.
    s.t.shape = resolved_dims_[v];
    if (s.planned) {
      s.t.data = arena_.data() + s.offset;
      s.t.size = s.planned_bytes;
      s.allocated = true;
    } else {
      s.t.data = nullptr;
      s.t.size = 0;
    }
  }
  for (size_t i = 0; i < g_.inputs.size(); ++i) {
    Slot& s = slots_[size_t(g_.inputs[i])];
    const Binding& b = in_bind_[i];
    s.allocated = true;
    if (b.seq || b.absent) {
      s.t.shape.clear();
      s.t.data = nullptr;
      s.t.size = 0;
      s.t.seq = b.seq;
      s.t.absent = b.absent;
      continue;
    }
    s.t.shape = b.shape;
    s.t.strings = b.strings;
    s.t.data = b.strings ? nullptr : const_cast<void*>(b.data);
    if (!s.t.data && !b.strings) s.t.data = empty_tensor;
    s.t.size = b.size;
  }
  for (size_t i = 0; i < g_.outputs.size(); ++i) {
    const Binding& b = out_bind_[i];
    ValueId v = g_.outputs[i];
    Slot& s = slots_[size_t(v)];
    if (!b.out || g_.value(v).is_constant() || s.allocated) continue;  // passthroughs copy later
    if (resolved_[size_t(v)].is_static()) {
      size_t need = bytes_of(g_.value(v).dtype, s.t.shape, "output", g_.value(v).name);
      if (b.size != need)
        throw Error(ErrorCode::kShapeMismatch, "output '" + g_.value(v).name + "': buffer is " +
                                                   std::to_string(b.size) + " bytes, shape " +
                                                   resolved_[size_t(v)].str() + " needs " +
                                                   std::to_string(need));
      s.t.data = b.out;
      s.t.size = b.size;
      s.allocated = true;
    }
  }
}

void* Executor::allocate(ValueId v, DType dt, std::span<const int64_t> shape) {
  Slot& s = slots_[size_t(v)];
  const ir::Value& val = g_.value(v);
  if (val.is_constant() || std::find(g_.inputs.begin(), g_.inputs.end(), v) != g_.inputs.end())
    throw Error(ErrorCode::kInternal, "value '" + val.name + "' is read-only");
  size_t need = bytes_of(dt, shape, "value", val.name);
  s.t.dtype = dt;
  s.t.shape.assign(shape.begin(), shape.end());
  for (size_t i = 0; i < g_.outputs.size(); ++i)
    if (g_.outputs[i] == v && out_bind_[i].out) {
      if (out_bind_[i].size != need)
        throw Error(ErrorCode::kShapeMismatch,
                    "output '" + val.name + "': buffer is " + std::to_string(out_bind_[i].size) +
                        " bytes, the result " + ir::Shape(s.t.shape).str() + " needs " +
                        std::to_string(need));
      s.t.data = out_bind_[i].out;
      s.t.size = need;
      s.allocated = true;
      return s.t.data;
    }
  if (s.planned && need <= s.planned_bytes) {
    s.t.data = arena_.data() + s.offset;
    s.t.size = need;
    s.allocated = true;
    return s.t.data;
  }
  if (need + kReadSlack > s.dyn_cap || !s.dyn) {
    size_t cap = std::max<size_t>(64, (need + kReadSlack + 63) / 64 * 64);
    void* p = std::aligned_alloc(64, cap);
    if (!p)
      throw Error(ErrorCode::kOutOfMemory,
                  "value '" + val.name + "': cannot allocate " + std::to_string(cap) + " bytes");
    s.dyn = std::unique_ptr<uint8_t, void (*)(void*)>(static_cast<uint8_t*>(p), std::free);
    s.dyn_cap = cap;
  }
  s.t.data = s.dyn.get();
  s.t.size = need;
  s.allocated = true;
  return s.t.data;
}

void Executor::run() {
  start();
  finish();
}

// Successive runs overlap when the last partition runs on a device that
// takes several submissions of one program (the npu backend's slots) and
// it produces every graph output: then all host work of run N+1, including
// copying inputs to the device, may happen while run N is still queued.
size_t Executor::pipeline_depth() const {
  if (parts_.empty()) return 1;
  const CompiledPartition& last = parts_.back();
  size_t depth = last.backend->max_in_flight(*last.program);
  if (depth < 2) return 1;
  for (ValueId v : g_.outputs) {
    bool made = false;
    for (ValueId sv : last.sub.outputs) made |= last.sub_to_parent[size_t(sv)] == v;
    if (!made) return 1;
  }
  return depth;
}

void Executor::start() {
  std::lock_guard lock(mu_);
  const size_t depth = pipeline_depth(), in_flight = started_.size();
  if (in_flight > 0 && in_flight >= depth)
    throw Error(ErrorCode::kInvalidArgument,
                depth == 1
                    ? "a run is in flight and this model cannot pipeline (its last partition "
                      "is not on a device that queues runs): finish it first"
                    : std::to_string(in_flight) +
                          " runs are in flight, the most this model pipelines: finish one "
                          "first");
  for (size_t i = 0; i < in_bind_.size(); ++i)
    if (!in_bind_[i].set)
      throw Error(ErrorCode::kInvalidArgument, "input '" + input_info_[i].name + "' is not set");
  // Re-plan only when input shapes (or output bindings) change.  An absent
  // optional and a sequence mark their rank slot so neither reads as a scalar.
  auto rank_mark = [](const Binding& b) {
    return b.absent ? int64_t(-1) : b.seq ? int64_t(-2) : int64_t(b.shape.size());
  };
  bool same = prepared_;
  size_t k = 0;
  for (const Binding& b : in_bind_) {
    if (!same) break;
    if (k + b.shape.size() + 1 > signature_.size()) {
      same = false;
      break;
    }
    if (signature_[k++] != rank_mark(b)) same = false;
    for (int64_t d : b.shape)
      if (same && signature_[k++] != d) same = false;
  }
  if (!same || k != signature_.size()) {
    if (in_flight > 0)
      throw Error(ErrorCode::kInvalidArgument,
                  "input shapes changed while a run is in flight: finish it first");
    prepare();
    signature_.clear();
    for (const Binding& b : in_bind_) {
      signature_.push_back(rank_mark(b));
      signature_.insert(signature_.end(), b.shape.begin(), b.shape.end());
    }
  }
  bool defer = depth > 1;
  reset_slots();
  profile_.clear();
  for (auto& p : parts_) {
    PartCtx ctx(*this, p);
    p.backend->run(*p.program, ctx);
    if (defer && &p == &parts_.back()) {
      started_.push_back(Clock::now());
      break;
    }
    auto t0 = Clock::now();
    complete(p, ctx, t0);
  }
  if (!defer) started_.push_back(Clock::now());
}

void Executor::complete(CompiledPartition& p, PartCtx& ctx, Clock::time_point t0) {
  p.backend->read_outputs(*p.program, ctx);
  if (opts_.profiling && ctx.recorded == 0) {
    uint64_t ns =
        uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
    const ir::Node& n0 = p.sub.nodes.front();
    if (p.sub.nodes.size() == 1)
      profile_.push_back({n0.name, n0.op, p.backend->name(), ns, 0});
    else
      profile_.push_back({n0.name + ".." + p.sub.nodes.back().name,
                          "partition(" + std::to_string(p.sub.nodes.size()) + " ops)",
                          p.backend->name(), ns, 0});
  }
  for (ValueId sv : p.sub.outputs) {
    const Slot& s = slots_[size_t(p.sub_to_parent[size_t(sv)])];
    if (!(s.allocated && s.t.data) && !s.t.seq && !s.t.absent && !s.t.strings)
      throw Error(ErrorCode::kInternal, "backend '" + p.backend->name() +
                                            "' did not produce value '" + p.sub.value(sv).name +
                                            "'");
  }
}

void Executor::finish() {
  std::lock_guard lock(mu_);
  if (started_.empty()) throw Error(ErrorCode::kInvalidArgument, "no run is in flight");
  Clock::time_point t0 = started_.front();
  started_.pop_front();  // an error still ends the run
  if (pipeline_depth() > 1) {
    PartCtx ctx(*this, parts_.back());
    complete(parts_.back(), ctx, t0);
  }
  // Outputs that are graph inputs or constants, copied to bound buffers.
  for (size_t i = 0; i < g_.outputs.size(); ++i) {
    ValueId v = g_.outputs[i];
    Binding& b = out_bind_[i];
    Slot& s = slots_[size_t(v)];
    if (!b.out || s.t.data == b.out) continue;  // set_output binds tensors only
    if (s.t.size != b.size)
      throw Error(ErrorCode::kShapeMismatch, "output '" + g_.value(v).name + "': buffer is " +
                                                 std::to_string(b.size) + " bytes, result needs " +
                                                 std::to_string(s.t.size));
    std::memcpy(b.out, s.t.data, s.t.size);
  }
}

const Executor::Slot& Executor::produced_output(size_t i) const {
  if (i >= g_.outputs.size())
    throw Error(ErrorCode::kInvalidArgument, "output index " + std::to_string(i) + " out of range");
  const Slot& s = slots_[size_t(g_.outputs[i])];
  if (!s.allocated && !s.t.seq && !s.t.absent && !s.t.strings)
    throw Error(ErrorCode::kInvalidArgument, "no run has produced outputs yet");
  return s;
}

TensorView Executor::output(size_t i) const {
  std::lock_guard lock(mu_);
  const Slot& s = produced_output(i);
  const ir::Value& val = g_.value(g_.outputs[i]);
  if (ir::is_sequence_kind(val.kind) || s.t.absent)
    throw Error(ErrorCode::kInvalidArgument,
                "output '" + val.name + "' is " +
                    (s.t.absent ? "an optional without element"
                                : std::string("a ") + ir::kind_name(val.kind) +
                                      ": read it with output_element"));
  if (val.dtype == DType::kString)
    throw Error(ErrorCode::kInvalidArgument,
                "output '" + val.name + "' is a string tensor: read it with output_strings");
  TensorView t;
  t.dtype = s.t.dtype;
  t.shape = s.t.shape;
  t.data = out_bind_[i].out ? out_bind_[i].out : s.t.data;
  t.size = s.t.size;
  return t;
}

bool Executor::output_has_element(size_t i) const {
  std::lock_guard lock(mu_);
  return !produced_output(i).t.absent;
}

const ir::Sequence& Executor::output_seq(size_t i) const {
  const Slot& s = produced_output(i);
  const ir::Value& val = g_.value(g_.outputs[i]);
  if (!ir::is_sequence_kind(val.kind))
    throw Error(ErrorCode::kInvalidArgument,
                "output '" + val.name + "' is a " + ir::kind_name(val.kind) + ", not a sequence");
  if (s.t.absent)
    throw Error(ErrorCode::kInvalidArgument,
                "output '" + val.name + "' is an optional sequence without element");
  if (!s.t.seq) throw Error(ErrorCode::kInternal, "output '" + val.name + "' holds no sequence");
  return *s.t.seq;
}

std::shared_ptr<const ir::Sequence> Executor::output_sequence(size_t i) const {
  std::lock_guard lock(mu_);
  output_seq(i);  // checks the kind and presence
  return produced_output(i).t.seq;
}

size_t Executor::output_sequence_length(size_t i) const {
  std::lock_guard lock(mu_);
  return output_seq(i).items.size();
}

TensorView Executor::output_element(size_t i, size_t position) const {
  std::lock_guard lock(mu_);
  const ir::Sequence& seq = output_seq(i);
  if (position >= seq.items.size())
    throw Error(ErrorCode::kInvalidArgument, "output '" + g_.value(g_.outputs[i]).name +
                                                 "': element " + std::to_string(position) +
                                                 " out of range (the sequence has " +
                                                 std::to_string(seq.items.size()) + ")");
  const ir::ConstTensor& c = *seq.items[position];
  TensorView t;
  t.dtype = c.dtype;
  t.shape = c.dims;
  t.data = c.data;
  t.size = c.size;
  return t;
}

ir::StringsPtr Executor::output_strings(size_t i, std::vector<int64_t>* shape) const {
  std::lock_guard lock(mu_);
  const Slot& s = produced_output(i);
  const ir::Value& val = g_.value(g_.outputs[i]);
  if (val.dtype != DType::kString || s.t.absent || ir::is_sequence_kind(val.kind))
    throw Error(ErrorCode::kInvalidArgument, "output '" + val.name +
                                                 "' is not a string tensor (it is " +
                                                 ir::type_str(val.kind, val.dtype) + ")");
  if (!s.t.strings) throw Error(ErrorCode::kInternal, "output '" + val.name + "' holds no strings");
  if (shape) *shape = s.t.shape;
  return s.t.strings;
}

std::vector<OpProfile> Executor::profile() const {
  std::lock_guard lock(mu_);
  return profile_;
}

}  // namespace rnpu::runtime
