#include "cpu_backend.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "convert.h"
#include "cost.h"
#include "dynamic_program.h"
#include "fast/fast_compile.h"
#include "fast/steps.h"
#include "fast/xnn_util.h"
#include "ir/fused_activation.h"
#include "ir/quant_ops.h"
#include "kernels/activation.h"
#include "passes/claim.h"
#include "passes/fusion.h"
#include "passes/pipeline.h"
#include "passes/shape_inference.h"
#include "program.h"
#include "sequence_ops.h"
#include "string_ops.h"

namespace rnpu::cpu {

namespace {

Support check_node(const ir::Graph& g, const ir::Node& n) {
  if (!n.domain.empty() && n.domain != "ai.onnx" && n.domain != "ai.onnx.ml")
    return Support::no("domain '" + n.domain + "' unsupported");
  if (is_sequence_op(n.op) || touches_sequences(g, n)) return sequence_support(g, n);
  if (ir::touches_strings(g, n)) return string_support(g, n);
  if (n.layout == ir::Layout::kNHWC) return Support::no("NHWC node layout unsupported");
  std::string bad;
  Attrs attrs = to_cpu_attrs(n.attrs, &bad);
  if (!bad.empty()) return Support::no(bad + " unsupported");
  const std::string key = kernel_key(n.domain, n.op);
  NodeInfo info{key, attrs, {}, {}, n.opset};
  for (ir::ValueId v : n.inputs)
    info.input_types.push_back(v == ir::kNoValue ? DType::kUndefined : to_cpu(g.value(v).dtype));
  for (ir::ValueId v : n.outputs)
    info.output_types.push_back(v == ir::kNoValue ? DType::kUndefined : to_cpu(g.value(v).dtype));
  for (ir::ValueId v : n.inputs) {
    if (v == ir::kNoValue) continue;
    const ir::Value& val = g.value(v);
    if (val.dtype == ir::DType::kString) return Support::no("string tensors unsupported");
  }
  // The cpu backend folds no QDQ region (it runs DequantizeLinear and
  // QuantizeLinear as they are), but a value may carry the quantisation
  // another backend's folding gave it; such a node runs its float kernel
  // between dequantisation and quantisation, so check the float form.
  bool quantized = false;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    ir::ValueId v = n.inputs[i];
    if (v == ir::kNoValue || !g.value(v).quant || ir::quant_aware_op(n.op)) continue;
    if (!ir::quant_storage_type(g.value(v).dtype))
      return Support::no("quantized " + std::string(ir::dtype_name(g.value(v).dtype)) + " input");
    info.input_types[i] = DType::kF32;
    quantized = true;
  }
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    ir::ValueId v = n.outputs[i];
    if (v == ir::kNoValue || !g.value(v).quant || ir::quant_aware_op(n.op)) continue;
    if (!ir::quant_storage_type(g.value(v).dtype))
      return Support::no("quantized " + std::string(ir::dtype_name(g.value(v).dtype)) + " output");
    info.output_types[i] = DType::kF32;
    quantized = true;
  }
  if (quantized && !n.attrs.get_string("rnpu.activation", "").empty())
    return Support::no("fused activation on a quantized " + n.op);
  for (ir::ValueId v : n.outputs)
    if (v != ir::kNoValue && g.value(v).dtype == ir::DType::kString)
      return Support::no("string tensors unsupported");
  std::string act = n.attrs.get_string("rnpu.activation", "");
  if (!act.empty()) {
    if (!known_activation(act)) return Support::no("fused activation " + act + " unsupported");
    if (n.outputs.empty() || n.outputs[0] == ir::kNoValue)
      return Support::no("fused activation without output");
    ir::DType t = g.value(n.outputs[0]).dtype;
    if (t != ir::DType::kFloat32 && t != ir::DType::kFloat64)
      return Support::no("fused activation on " + std::string(ir::dtype_name(t)) + " output");
  }
  std::string why = KernelRegistry::get().why_unsupported(info);
  if (!why.empty()) return Support::no(why);
  return Support::yes();
}

}  // namespace

std::string CpuBackend::description() const {
  std::string why;
  std::string fast = fast::xnn_ready(&why) ? "XNNPACK fast path" : "no XNNPACK (" + why + ")";
  return "host CPU: " + fast + ", reference kernels for " +
         std::to_string(KernelRegistry::get().ops().size()) + " ONNX ops; threads via pthreadpool";
}

Tolerance CpuBackend::tolerance(ir::DType t) const {
  switch (t) {
    case ir::DType::kFloat32:
      return {1e-4, 1e-4};
    case ir::DType::kFloat16:
    case ir::DType::kBFloat16:
      return {1e-2, 1e-2};
    case ir::DType::kFloat64:
      return {1e-9, 1e-9};
    default:
      return {0, 0};
  }
}

Support CpuBackend::supports(const ir::Graph& g, const ir::Node& n) const {
  try {
    return check_node(g, n);
  } catch (const std::exception& e) {
    return Support::no(e.what());
  }
}

double CpuBackend::estimate_cost_ns(const ir::Graph& g, const ir::Node& n) const {
  try {
    return estimate_node_ns(g, n, 1);
  } catch (const std::exception&) {
    return -1;
  }
}

namespace {

std::unique_ptr<CpuProgram> compile_reference(const ir::Graph& sub, const CompileOptions& o) {
  auto p = std::make_unique<CpuProgram>();
  p->threads = std::max(1, o.num_threads);
  p->pool = make_thread_pool(p->threads);
  for (ir::NodeId id : sub.topo_order()) {
    const ir::Node& n = sub.node(id);
    Step st;
    st.name = n.name;
    st.op = n.op;
    st.kernel = kernel_key(n.domain, n.op);
    st.opset = n.opset;
    st.attrs = to_cpu_attrs(n.attrs, nullptr);
    st.inputs = n.inputs;
    st.outputs = n.outputs;
    // Trailing unused optional outputs are not computed at all.
    while (!st.outputs.empty() && st.outputs.back() == ir::kNoValue) st.outputs.pop_back();
    const ir::FusedActivation fa = ir::fused_activation(n);
    st.activation = fa.op;
    st.act_alpha = fa.alpha;
    st.act_beta = fa.beta;
    st.sequence = is_sequence_op(n.op) || touches_sequences(sub, n);
    st.strings = !st.sequence && ir::touches_strings(sub, n);
    if (st.strings) st.ir_attrs = n.attrs;
    if (!ir::quant_aware_op(n.op) && !st.sequence && !st.strings) set_step_quant(st, sub);
    p->steps.push_back(std::move(st));
  }
  plan_reference_memory(*p, sub);
  return p;
}

bool verbose() {
  const char* v = std::getenv("RNPU_CPU_VERBOSE");
  return v && *v == '1';
}

}  // namespace

std::unique_ptr<Program> CpuBackend::compile(const ir::Graph& sub, const CompileOptions& o) {
  for (ir::NodeId id : sub.topo_order()) {
    Support s = check_node(sub, sub.node(id));
    if (!s.ok) ir::node_error(ErrorCode::kUnsupportedOp, sub.node(id), s.reason);
  }
  // Sequence values live in shared element lists the fast path does not
  // describe, so partitions with them run reference steps throughout.
  // String tensors likewise (HostTensor::strings).
  bool sequences = false, strings = false;
  for (const ir::Node& n : sub.nodes) {
    if (!n.dead && (is_sequence_op(n.op) || touches_sequences(sub, n))) sequences = true;
    if (!n.dead && ir::touches_strings(sub, n)) strings = true;
  }
  std::string why = !fast_                ? "disabled for this backend object"
                    : o.reference_kernels ? "Options::reference_kernels"
                    : sequences           ? "sequence or optional values"
                    : strings             ? "string tensors"
                                          : fast::fast_path_unavailable();
  if (!why.empty()) {
    if (verbose()) std::fprintf(stderr, "rnpu cpu: reference program (%s)\n", why.c_str());
    return compile_reference(sub, o);
  }
  if (fast::first_dynamic_value(sub) != ir::kNoValue) {
    if (verbose())
      std::fprintf(stderr, "rnpu cpu: dynamic shapes, fast programs compiled per input shape\n");
    return std::make_unique<DynamicProgram>(sub, sub.values.size(), std::vector<ir::ValueId>{}, o,
                                            compile_reference(sub, o));
  }
  {
    auto fp = fast::compile_fast(sub, o, &why);
    if (fp) {
      if (verbose())
        std::fprintf(stderr,
                     "rnpu cpu: fast program, %zu steps, %d XNNPACK operators, %d threads, "
                     "%zu-byte arena\n",
                     fp->steps.size(), fp->xnn_ops, fp->threads, fp->arena_bytes);
      return fp;
    }
  }
  if (verbose()) std::fprintf(stderr, "rnpu cpu: reference program (%s)\n", why.c_str());
  return compile_reference(sub, o);
}

// The partition arrives in the canonical QDQ form (DequantizeLinear ->
// op -> QuantizeLinear), which is what the cpu backend runs: the float
// kernels between dequantisation and quantisation, as the ONNX graph says.
// Its own rewrites: the DequantizeLinear of constant int8 weights becomes
// float weights once, on the reference kernels (the fast path's float
// kernels then run on them), and the fusions its kernels implement.
std::vector<NodeGroup> CpuBackend::claim(const ir::Graph& g) const {
  return passes::claim_rewrites(g, *this, {.qdq = false, .fusion = true});
}

int CpuBackend::optimize(ir::Graph& sub) const {
  passes::FoldOptions fo;
  fo.keep_qdq = false;
  int n = passes::fold_constants(sub, fo);
  n += passes::fuse(sub, passes::Rewrite{passes::accept_by(*this), nullptr, false});
  if (n) passes::infer_shapes(sub);
  return n;
}

namespace {
std::atomic<uint64_t> g_fast_runs{0};
}  // namespace

uint64_t fast_program_runs() {
  return g_fast_runs.load(std::memory_order_relaxed);
}

void CpuBackend::run(Program& prog, RunContext& ctx) {
  // Both program kinds below may run XNNPACK operators and fast-path
  // kernels; only CpuProgram is reference kernels throughout.
  if (auto* fp = dynamic_cast<fast::FastProgram*>(&prog)) {
    g_fast_runs.fetch_add(1, std::memory_order_relaxed);
    return run_fast(*fp, ctx);
  }
  if (auto* dp = dynamic_cast<DynamicProgram*>(&prog)) {
    g_fast_runs.fetch_add(1, std::memory_order_relaxed);
    return dp->run(ctx);
  }
  auto& p = static_cast<CpuProgram&>(prog);
  bind_reference_memory(p, ctx);
  for (const Step& s : p.steps) {
    if (s.sequence)
      run_sequence_step(s, ctx);
    else if (s.strings)
      run_string_step(s, ctx);
    else
      run_reference_step(s, ctx, p.pool.get());
  }
}

}  // namespace rnpu::cpu

namespace rnpu::backends {

void register_cpu(BackendRegistry& r) {
  r.add("cpu", 100, [] { return std::make_unique<cpu::CpuBackend>(); });
}

}  // namespace rnpu::backends
