#include "fast_compile.h"

#include <cstdlib>
#include <cstring>
#include <set>

#include "backends/cpu/convert.h"
#include "backends/cpu/kernels/activation.h"
#include "backends/cpu/kernels/strided.h"
#include "compiler.h"
#include "float_kernels.h"
#include "ir/fused_activation.h"
#include "ir/quant_ops.h"
#include "nhwc_kernels.h"

namespace rnpu::cpu::fast {

namespace {

// Ops that act elementwise, so they run unchanged on NHWC data when every
// operand is given in NHWC (with broadcast operands permuted alike).
bool layout_agnostic(const std::string& op) {
  static const std::set<std::string> ops = {
      "Add",      "Sub",  "Mul",      "Div",         "Pow",       "Max",       "Min",
      "Sum",      "Mean", "PRelu",    "Where",       "Relu",      "LeakyRelu", "Elu",
      "Selu",     "Celu", "Sigmoid",  "HardSigmoid", "HardSwish", "Tanh",      "Softplus",
      "Softsign", "Gelu", "Erf",      "Exp",         "Log",       "Sqrt",      "Reciprocal",
      "Abs",      "Neg",  "Floor",    "Ceil",        "Round",     "Clip",      "ThresholdedRelu",
      "Sin",      "Cos",  "Identity", "Sign",        "Shrink",    "Mish"};
  return ops.count(op) != 0;
}

}  // namespace

Compiler::Compiler(const ir::Graph& graph, FastProgram& prog) : g(graph), p(prog) {
  vals.resize(g.values.size());
  users.resize(g.values.size());
  producer.assign(g.values.size(), ir::kNoNode);
  skip.assign(g.nodes.size(), false);
  for (size_t i = 0; i < g.values.size(); ++i) {
    const ir::Value& v = g.values[i];
    VInfo& vi = vals[i];
    vi.dt = to_cpu(v.dtype);
    vi.shape = v.shape.values();
    if (v.constant) {
      vi.is_const = true;
      vi.cdata = const_view(v.constant);
      vi.shape = v.constant->dims;
    }
  }
  for (ir::ValueId o : g.outputs) vals[size_t(o)].graph_out = true;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    if (n.dead) continue;
    for (ir::ValueId v : n.inputs)
      if (v != ir::kNoValue) users[size_t(v)].push_back(ir::NodeId(i));
    for (ir::ValueId v : n.outputs)
      if (v != ir::kNoValue) {
        vals[size_t(v)].produced = true;
        producer[size_t(v)] = ir::NodeId(i);
      }
  }
}

Attrs Compiler::attrs(const ir::Node& n) const {
  return to_cpu_attrs(n.attrs, nullptr);
}

int Compiler::add_buffer(size_t bytes, bool persistent) {
  Buffer b;
  b.bytes = bytes;
  b.persistent = persistent;
  if (persistent) {
    p.memory.emplace_back(bytes);
    b.fixed = p.memory.back().data();
  }
  p.bufs.push_back(b);
  return int(p.bufs.size() - 1);
}

int Compiler::add_constant_buffer(const Tensor& t) {
  Buffer b;
  b.bytes = t.nbytes();
  b.persistent = true;
  b.fixed = t.data;
  p.bufs.push_back(b);
  if (t.storage) p.constants.push_back(t.storage);
  return int(p.bufs.size() - 1);
}

void Compiler::add_step(std::unique_ptr<FastStep> s, const std::string& node,
                        const std::string& what, const std::vector<TensorRef>& reads,
                        const std::vector<TensorRef>& writes) {
  int idx = int(p.steps.size());
  for (const auto* list : {&reads, &writes})
    for (const TensorRef& r : *list) {
      if (r.slot.buf < 0) continue;
      Buffer& b = p.bufs[size_t(r.slot.buf)];
      if (list == &writes && b.first < 0) b.first = idx;
      b.last = std::max(b.last, idx);
    }
  s->node = node;
  s->op = what;
  p.steps.push_back(std::move(s));
}

void Compiler::add_step(std::unique_ptr<FastStep> s, const ir::Node& n,
                        const std::vector<TensorRef>& reads, const std::vector<TensorRef>& writes,
                        const std::string& what) {
  add_step(std::move(s), n.name, what.empty() ? n.op : what, reads, writes);
}

void Compiler::add_xnn_step(XnnOp op, const ir::Node& n, const std::vector<TensorRef>& reads,
                            const std::vector<TensorRef>& writes, XnnStep::SetupFn setup,
                            const std::string& what) {
  std::vector<TensorRef> refs = reads;
  refs.insert(refs.end(), writes.begin(), writes.end());
  add_step(std::make_unique<XnnStep>(std::move(op), std::move(refs), std::move(setup)), n, reads,
           writes, what);
  ++p.xnn_ops;
}

const ir::Node* Compiler::sole_user(ir::ValueId v) const {
  if (info(v).graph_out || users[size_t(v)].size() != 1) return nullptr;
  const ir::Node& u = g.node(users[size_t(v)][0]);
  // The value must feed the user exactly once (not Mul(x, x)).
  int uses = 0;
  for (ir::ValueId i : u.inputs) uses += i == v;
  return uses == 1 ? &u : nullptr;
}

TensorRef Compiler::nchw(ir::ValueId v) {
  VInfo& vi = vals[size_t(v)];
  if (vi.nchw) return *vi.nchw;
  if (!vi.nhwc && folded_transpose_node.count(v)) {
    // A Transpose folded into a matmul that then took another path: run it.
    ir::NodeId t = folded_transpose_node[v];
    folded_transpose_node.erase(v);
    lower_reference(g.node(t));
    return *vals[size_t(v)].nchw;
  }
  if (vi.is_const) {
    // Constants are read where they are, not through the runtime (values
    // this compiler added, e.g. dequantised weights, have no runtime slot).
    vi.nchw =
        TensorRef{Slot{ir::kNoValue, add_constant_buffer(vi.cdata)}, vi.dt, vi.shape, vi.shape};
    return *vi.nchw;
  }
  if (!vi.produced) {
    vi.nchw = TensorRef{Slot{v, -1}, vi.dt, vi.shape, vi.shape};
    return *vi.nchw;
  }
  if (!vi.nhwc) fail("internal: value '" + g.value(v).name + "' used before it is produced");
  const Shape s = vi.shape;
  if (s[1] == 1 || s[2] * s[3] == 1) {  // the two layouts coincide in memory
    vi.nchw = TensorRef{vi.nhwc->slot, vi.dt, s, vi.nhwc->alloc_shape};
    return *vi.nchw;
  }
  Slot dst = vi.graph_out
                 ? Slot{v, -1}
                 : Slot{ir::kNoValue, add_buffer(size_t(shape_numel(s)) * dtype_size(vi.dt))};
  TensorRef src = *vi.nhwc;
  TensorRef out{dst, vi.dt, s, s};
  int64_t n = s[0], c = s[1], hw = s[2] * s[3];
  add_step(std::make_unique<LambdaStep>([src, out, n, c, hw](FastState& st) {
             transpose_batched(src.ptr(st), out.ptr(st), dtype_size(src.dtype), n, hw, c,
                               st.pool());
           }),
           g.value(v).name, "NHWC->NCHW", {src}, {out});
  vals[size_t(v)].nchw = out;
  return out;
}

bool Compiler::can_nhwc(ir::ValueId v) const {
  const VInfo& vi = info(v);
  if (vi.nhwc) return true;
  if (vi.shape.size() > 4) return false;
  Shape e(4 - vi.shape.size(), 1);
  e.insert(e.end(), vi.shape.begin(), vi.shape.end());
  if (vi.is_const) return dtype_size(vi.dt) != 0;
  if (e[1] == 1 || e[2] * e[3] == 1) return true;
  return vi.shape.size() == 4 && dtype_size(vi.dt) != 0;
}

TensorRef Compiler::nhwc(ir::ValueId v) {
  VInfo& vi = vals[size_t(v)];
  if (vi.nhwc) return *vi.nhwc;
  if (!can_nhwc(v)) fail("internal: value '" + g.value(v).name + "' cannot be made NHWC");
  Shape e(4 - vi.shape.size(), 1);
  e.insert(e.end(), vi.shape.begin(), vi.shape.end());
  Shape phys = to_nhwc(e);
  if (vi.is_const) {
    // Permute constants once, at compile time.
    int idx = add_buffer(vi.cdata.nbytes(), true);
    Tensor src = Tensor::view(vi.dt, e, vi.cdata.data);
    Tensor dst = Tensor::view(vi.dt, phys, buffer_data(idx));
    transpose(src, {0, 2, 3, 1}, dst);
    vi.nhwc = TensorRef{Slot{ir::kNoValue, idx}, vi.dt, phys, phys};
    return *vi.nhwc;
  }
  if (e[1] == 1 || e[2] * e[3] == 1) {
    TensorRef base = nchw(v);
    vals[size_t(v)].nhwc = TensorRef{base.slot, vi.dt, phys, base.alloc_shape};
    return *vals[size_t(v)].nhwc;
  }
  TensorRef src = nchw(v);
  TensorRef out{Slot{ir::kNoValue, add_buffer(size_t(shape_numel(e)) * dtype_size(vi.dt))}, vi.dt,
                phys, phys};
  int64_t n = e[0], c = e[1], hw = e[2] * e[3];
  add_step(std::make_unique<LambdaStep>([src, out, n, c, hw](FastState& st) {
             transpose_batched(src.ptr(st), out.ptr(st), dtype_size(src.dtype), n, c, hw,
                               st.pool());
           }),
           g.value(v).name, "NCHW->NHWC", {src}, {out});
  vals[size_t(v)].nhwc = out;
  return out;
}

TensorRef Compiler::define(ir::ValueId v, bool as_nhwc) {
  VInfo& vi = vals[size_t(v)];
  // Subgraph outputs live in the runtime's buffer (NCHW); everything else
  // in the program's arena.
  size_t bytes = size_t(shape_numel(vi.shape)) * dtype_size(vi.dt);
  if (as_nhwc) {
    Slot s{ir::kNoValue, add_buffer(bytes)};
    vi.home_nhwc = true;
    vi.nhwc = TensorRef{s, vi.dt, to_nhwc(vi.shape), vi.shape};
    return *vi.nhwc;
  }
  Slot s = vi.graph_out ? Slot{v, -1} : Slot{ir::kNoValue, add_buffer(bytes)};
  vi.nchw = TensorRef{s, vi.dt, vi.shape, vi.shape};
  return *vi.nchw;
}

void Compiler::alias(ir::ValueId v, const TensorRef& base) {
  VInfo& vi = vals[size_t(v)];
  vi.nchw = TensorRef{base.slot, vi.dt, vi.shape, base.alloc_shape};
}

OutPlan Compiler::plan_output(const ir::Node& n, ir::ValueId start, bool clamp_ok) {
  OutPlan o;
  o.value = start;
  const ir::FusedActivation fa = ir::fused_activation(n);
  const std::string& act = fa.op;
  if (act == "Relu" && clamp_ok) {
    o.lo = 0;
  } else if (act == "Clip" && clamp_ok) {
    o.lo = fa.alpha;
    o.hi = fa.beta;
  } else if (!act.empty()) {
    o.post_act = act;
    o.post_alpha = fa.alpha;
    o.post_beta = fa.beta;
    absorb_affine(o);
    return o;
  }
  if (!clamp_ok) {
    absorb_affine(o);
    return o;
  }
  for (;;) {
    const ir::Node* u = sole_user(o.value);
    if (!u || u->outputs.empty() || !u->attrs.get_string("rnpu.activation", "").empty()) break;
    float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
    if (u->op == "Relu") {
      lo = 0;
    } else if (u->op == "Clip") {
      Attrs a = attrs(*u);
      if (a.has("min")) lo = a.get_float("min", lo);
      if (a.has("max")) hi = a.get_float("max", hi);
      bool ok = true;
      for (size_t i = 1; i < u->inputs.size(); ++i) {
        ir::ValueId b = u->inputs[i];
        if (b == ir::kNoValue) continue;
        const Tensor* t = constant(b);
        if (!t || t->numel() != 1 || t->dtype != DType::kF32) {
          ok = false;
          break;
        }
        (i == 1 ? lo : hi) = t->as<float>()[0];
      }
      if (!ok) break;
    } else {
      break;
    }
    o.lo = std::max(o.lo, lo);
    o.hi = std::min(o.hi, hi);
    absorb(u);
    o.value = u->outputs[0];
  }
  absorb_affine(o);
  return o;
}

void Compiler::absorb_affine(OutPlan& o) {
  if (!is_f32(o.value)) return;
  for (;;) {
    const ir::Node* u = sole_user(o.value);
    if (!u || u->inputs.size() != 2 || u->outputs.size() != 1 ||
        !u->attrs.get_string("rnpu.activation", "").empty())
      break;
    bool first = u->inputs[0] == o.value;
    const Tensor* k = constant(first ? u->inputs[1] : u->inputs[0]);
    if (!k || k->dtype != DType::kF32 || k->numel() != 1 || k->rank() > info(o.value).shape.size())
      break;
    float v = k->as<float>()[0];
    if (u->op == "Mul") {
      o.scale *= v;
      o.shift *= v;
    } else if (u->op == "Add") {
      o.shift += v;
    } else if (u->op == "Sub" && first) {
      o.shift -= v;
    } else if (u->op == "Sub") {  // v - y
      o.scale = -o.scale;
      o.shift = v - o.shift;
    } else if (u->op == "Div" && first && v != 0) {
      o.scale /= v;
      o.shift /= v;
    } else {
      break;
    }
    absorb(u);
    o.value = u->outputs[0];
  }
}

void Compiler::post_activation(const OutPlan& plan, const TensorRef& out, const ir::Node& n) {
  if (plan.affine()) {
    // One pass for activation + affine when the activation is a simple one.
    const std::string& act = plan.post_act;
    int kind = act.empty()          ? kActNone
               : act == "HardSwish" ? kActHardSwish
               : act == "Relu"      ? kActRelu
                                    : -1;
    if (kind < 0) {
      OutPlan no_affine = plan;
      no_affine.scale = 1;
      no_affine.shift = 0;
      post_activation(no_affine, out, n);
      kind = kActNone;
    }
    int64_t count = shape_numel(out.shape);
    float sc = plan.scale, sh = plan.shift;
    add_step(std::make_unique<LambdaStep>([out, count, kind, sc, sh](FastState& st) {
               act_affine_f32(static_cast<float*>(out.ptr(st)), count, kind, sc, sh, st.pool());
             }),
             n, {out}, {out}, n.op + (act.empty() ? "" : "+" + act) + "+affine");
    return;
  }
  if (plan.post_act.empty()) return;
  std::string act = plan.post_act;
  float a = plan.post_alpha, b = plan.post_beta;
  int64_t count = shape_numel(out.shape);
  xnn_operator_t op = nullptr;
  xnn_status s = xnn_status_unsupported_parameter;
  if (act == "Sigmoid")
    s = xnn_create_sigmoid_nc_f32(1, 1, 1, 0, &op);
  else if (act == "HardSwish")
    s = xnn_create_hardswish_nc_f32(1, 1, 1, 0, &op);
  else if (act == "LeakyRelu")
    s = xnn_create_leaky_relu_nc_f32(1, 1, 1, a, 0, &op);
  if (s == xnn_status_success) {
    auto setup = [count, act](xnn_operator_t o, void* const* ptrs, pthreadpool* pool) {
      auto* x = static_cast<float*>(ptrs[0]);
      if (act == "Sigmoid") return xnn_setup_sigmoid_nc_f32(o, size_t(count), x, x, pool);
      if (act == "HardSwish") return xnn_setup_hardswish_nc_f32(o, size_t(count), x, x, pool);
      return xnn_setup_leaky_relu_nc_f32(o, size_t(count), x, x, pool);
    };
    add_xnn_step(XnnOp(op), n, {}, {out}, setup, n.op + "+" + act);
    return;
  }
  if (act == "Gelu" && out.dtype == DType::kF32) {
    int64_t count = shape_numel(out.shape);
    add_step(std::make_unique<LambdaStep>([out, count](FastState& st) {
               auto* x = static_cast<float*>(out.ptr(st));
               gelu_f32(x, x, count, st.pool());
             }),
             n, {out}, {out}, n.op + "+" + act);
    return;
  }
  add_step(std::make_unique<LambdaStep>([out, act, a, b](FastState& st) {
             Tensor t = Tensor::view(out.dtype, out.shape, out.ptr(st));
             apply_activation(t, act, a, b);
           }),
           n, {out}, {out}, n.op + "+" + act);
}

void Compiler::lower_reference(const ir::Node& n) {
  auto step = std::make_unique<RefStep>();
  step->attrs = attrs(n);
  step->kernel = kernel_key(n.domain, n.op);
  step->opset = n.opset;
  step->activation = n.attrs.get_string("rnpu.activation", "");
  if (!step->activation.empty()) {
    OutPlan o = plan_output(n, n.outputs.empty() ? ir::kNoValue : n.outputs[0], false);
    step->act_alpha = o.post_alpha;
    step->act_beta = o.post_beta;
  }
  bool nhwc_any = false, nhwc_ok = layout_agnostic(n.op);
  for (ir::ValueId v : n.inputs) {
    if (v == ir::kNoValue) continue;
    if (info(v).home_nhwc) nhwc_any = true;
    if (!can_nhwc(v)) nhwc_ok = false;
  }
  for (ir::ValueId v : n.outputs)
    if (v != ir::kNoValue && (info(v).shape.size() != 4 || info(v).dt != DType::kF32))
      nhwc_ok = false;
  bool use_nhwc = nhwc_any && nhwc_ok;
  for (ir::ValueId v : n.inputs) {
    if (v == ir::kNoValue)
      step->inputs.push_back(std::nullopt);
    else
      step->inputs.push_back(use_nhwc ? nhwc(v) : nchw(v));
  }
  std::vector<ir::ValueId> outs = n.outputs;
  while (!outs.empty() && outs.back() == ir::kNoValue) outs.pop_back();
  for (ir::ValueId v : outs) {
    if (v == ir::kNoValue)
      step->outputs.push_back(std::nullopt);
    else
      step->outputs.push_back(define(v, use_nhwc));
  }
  if (!ir::quant_aware_op(n.op)) {
    for (ir::ValueId v : n.inputs) {
      step->in_quant.push_back(v == ir::kNoValue ? std::nullopt : quant_of(g.value(v)));
      step->quantized |= step->in_quant.back().has_value();
    }
    for (ir::ValueId v : outs) {
      step->out_quant.push_back(v == ir::kNoValue ? std::nullopt : quant_of(g.value(v)));
      step->out_types.push_back(v == ir::kNoValue ? DType::kUndefined : to_cpu(g.value(v).dtype));
      step->quantized |= step->out_quant.back().has_value();
    }
  }
  std::vector<TensorRef> reads, writes;
  for (const auto& r : step->inputs)
    if (r) reads.push_back(*r);
  for (const auto& r : step->outputs)
    if (r) writes.push_back(*r);
  add_step(std::move(step), n, reads, writes);
}

void Compiler::finish() {
  for (ir::ValueId o : g.outputs) {
    const VInfo& vi = info(o);
    if (!vi.home_nhwc) continue;
    // The runtime reads outputs in NCHW from their own buffer.
    TensorRef src = nchw(o);
    if (src.slot.value == o) continue;
    TensorRef dst{Slot{o, -1}, vi.dt, vi.shape, vi.shape};
    add_step(std::make_unique<LambdaStep>([src, dst](FastState& st) {
               std::memcpy(dst.ptr(st), src.ptr(st),
                           size_t(shape_numel(dst.shape)) * dtype_size(dst.dtype));
             }),
             g.value(o).name, "copy-out", {src}, {dst});
  }
}

void Compiler::build() {
  fold_matmul_transposes(*this);
  for (ir::NodeId id : g.topo_order()) {
    if (skip[size_t(id)]) continue;
    const ir::Node& n = g.node(id);
    pending_skip.clear();
    try {
      if (lower_fast(*this, n)) {
        for (ir::NodeId a : pending_skip) skip[size_t(a)] = true;
      } else {
        lower_reference(n);
      }
    } catch (const KernelError& e) {
      // An attribute of the wrong kind or an impossible value: the model's
      // fault, reported like every other error with the node named.
      ir::node_error(ErrorCode::kMalformedModel, n, e.what());
    }
  }
  finish();
}

std::string fast_path_unavailable() {
  if (const char* e = std::getenv("RNPU_CPU_XNNPACK"); e && std::string(e) == "0")
    return "disabled by RNPU_CPU_XNNPACK=0";
  std::string why;
  if (!xnn_ready(&why)) return why;
  return "";
}

ir::ValueId first_dynamic_value(const ir::Graph& g) {
  for (size_t i = 0; i < g.values.size(); ++i)
    if (!g.values[i].constant && !g.values[i].shape.is_static()) return ir::ValueId(i);
  return ir::kNoValue;
}

std::unique_ptr<FastProgram> compile_fast(const ir::Graph& g, const CompileOptions& o,
                                          std::string* why, pthreadpool* shared_pool) {
  *why = fast_path_unavailable();
  if (!why->empty()) return nullptr;
  if (ir::ValueId v = first_dynamic_value(g); v != ir::kNoValue) {
    *why = "value '" + g.value(v).name + "' has shape " + g.value(v).shape.str() +
           " unknown at compile time";
    return nullptr;
  }
  auto p = std::make_unique<FastProgram>();
  p->threads = std::max(1, o.num_threads);
  if (shared_pool)
    p->shared_pool = shared_pool;
  else
    p->pool = make_thread_pool(p->threads);
  Compiler c(g, *p);
  c.build();
  p->place_buffers();
  return p;
}

}  // namespace rnpu::cpu::fast
