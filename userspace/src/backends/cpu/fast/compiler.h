// Internal state of the fast-path compiler, shared by the generic driver
// (fast_compile.cc) and the per-op lowerings to XNNPACK (lower_*.cc).
//
// Layout model: every 4-D float32 value has a "home" layout chosen by its
// producer: NHWC when produced by an NHWC op (convolution, pooling, resize,
// or an elementwise op whose 4-D inputs are NHWC), NCHW otherwise.  A
// consumer that needs the other layout gets a converted copy, made once per
// value and shared by all such consumers.  Subgraph outputs always end up in
// NCHW in the runtime's buffer.
#pragma once

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backends/cpu/kernels/kernel.h"
#include "fast_program.h"
#include "steps.h"

namespace rnpu::cpu::fast {

// NHWC physical shape of a logical NCHW shape.
inline Shape to_nhwc(const Shape& s) {
  return {s[0], s[2], s[3], s[1]};
}

// What happens to a producer's output: the value finally written (after
// absorbing Relu/Clip consumers), the clamp to apply, and an activation the
// producer cannot fuse (run in place afterwards).
struct OutPlan {
  ir::ValueId value = ir::kNoValue;
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  std::string post_act;
  float post_alpha = 0, post_beta = 0;
  // y = y * scale + shift after everything else (absorbed scalar Mul/Add/
  // Sub/Div consumers, e.g. PP-LCNet's learnable affine blocks).
  float scale = 1, shift = 0;
  bool affine() const { return scale != 1 || shift != 0; }
};

class Compiler {
 public:
  Compiler(const ir::Graph& g, FastProgram& p);
  void build();

  struct VInfo {
    DType dt = DType::kUndefined;
    Shape shape;
    bool is_const = false;
    Tensor cdata;
    bool graph_out = false;
    bool produced = false;  // written by a node of this subgraph
    bool home_nhwc = false;
    std::optional<TensorRef> nchw, nhwc;
  };

  const ir::Graph& g;
  FastProgram& p;
  std::vector<VInfo> vals;
  std::vector<std::vector<ir::NodeId>> users;  // consumers per value
  std::vector<ir::NodeId> producer;            // per value, kNoNode if none
  std::vector<bool> skip;                      // nodes absorbed into another step
  // Nodes a lowering in progress absorbs; committed to `skip` only when the
  // lowering succeeds (a lowering may still give up after planning).
  std::vector<ir::NodeId> pending_skip;
  void absorb(const ir::Node* n) { pending_skip.push_back(ir::NodeId(n - &g.nodes[0])); }
  // MatMul B operands that are a last-two-axes Transpose of another value
  // (read untransposed by the matmul; the Transpose is skipped).
  std::map<ir::ValueId, ir::ValueId> folded_transpose;
  std::map<ir::ValueId, ir::NodeId> folded_transpose_node;

  const VInfo& info(ir::ValueId v) const { return vals[size_t(v)]; }
  bool is_f32(ir::ValueId v) const { return v != ir::kNoValue && info(v).dt == DType::kF32; }
  bool is_f32_4d(ir::ValueId v) const { return is_f32(v) && info(v).shape.size() == 4; }
  const Tensor* constant(ir::ValueId v) const {
    return v != ir::kNoValue && info(v).is_const ? &info(v).cdata : nullptr;
  }
  Attrs attrs(const ir::Node& n) const;

  // The value in logical (NCHW) layout; converts from NHWC on first use.
  TensorRef nchw(ir::ValueId v);
  // Whether nhwc(v) can succeed for an input of a 4-D NHWC computation.
  bool can_nhwc(ir::ValueId v) const;
  // The value as a 4-D NHWC tensor (lower ranks broadcast as if extended
  // to 4-D); converts on first use.
  TensorRef nhwc(ir::ValueId v);
  // Declares where the producer of v writes it, in NHWC or NCHW.
  TensorRef define(ir::ValueId v, bool nhwc);
  // Makes v a view of `base`'s bytes with v's own (logical) shape.
  void alias(ir::ValueId v, const TensorRef& base);

  // A program buffer; persistent ones get memory now (for compile-time data).
  int add_buffer(size_t bytes, bool persistent = false);
  // A persistent buffer over constant data (read in place, never written).
  int add_constant_buffer(const Tensor& t);
  void* buffer_data(int buf) const { return p.bufs[size_t(buf)].fixed; }
  // Appends a step; `reads`/`writes` extend the live ranges of the
  // program buffers they use.
  void add_step(std::unique_ptr<FastStep> s, const ir::Node& n, const std::vector<TensorRef>& reads,
                const std::vector<TensorRef>& writes, const std::string& what = {});
  void add_step(std::unique_ptr<FastStep> s, const std::string& node, const std::string& what,
                const std::vector<TensorRef>& reads, const std::vector<TensorRef>& writes);
  // Appends an XNNPACK operator step; its setup sees the pointers of `reads`
  // then `writes` (an in-place operator names its tensor once, in `writes`).
  void add_xnn_step(XnnOp op, const ir::Node& n, const std::vector<TensorRef>& reads,
                    const std::vector<TensorRef>& writes, XnnStep::SetupFn setup,
                    const std::string& what = {});

  // Plans a producer's output 0: fused rnpu.activation, then absorbs a
  // chain of single-consumer Relu/Clip nodes when `clamp_ok`.
  OutPlan plan_output(const ir::Node& n, ir::ValueId start, bool clamp_ok);
  // Emits the in-place activation `plan.post_act` and affine, if any.
  void post_activation(const OutPlan& plan, const TensorRef& out, const ir::Node& n);
  // Extends `o` over a chain of sole-consumer scalar Mul/Add/Sub/Div.
  void absorb_affine(OutPlan& o);
  // The single consumer of v when v is not a graph output, else nullptr.
  const ir::Node* sole_user(ir::ValueId v) const;

 private:
  void lower_reference(const ir::Node& n);
  void finish();
};

// Lowers `n` to XNNPACK or the fast path's own kernels; false when the
// node does not qualify (nothing has been emitted then).
bool lower_fast(Compiler& c, const ir::Node& n);
// Pre-pass over the whole subgraph (before lowering in order).
void fold_matmul_transposes(Compiler& c);

}  // namespace rnpu::cpu::fast
