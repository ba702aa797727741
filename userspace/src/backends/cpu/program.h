// What the CPU backend compiles a partition into: a list of steps, each a
// reference kernel call on IR value ids, run in topological order.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "kernels/kernel.h"
#include "kernels/quantized.h"
#include "thread_pool.h"

namespace rnpu::cpu {

struct Step {
  std::string name, op;
  std::string kernel;  // registry name (kernel_key): op, or "<domain>:<op>"
  int opset = 17;
  Attrs attrs;
  std::vector<ir::ValueId> inputs, outputs;  // kNoValue for absent ones
  std::string activation;                    // fused activation on output 0
  float act_alpha = 0, act_beta = 0;
  // Quantised (QDQ-folded) nodes: per input/output quantisation and the
  // integer output types; the kernel runs in float between them.
  bool quantized = false;
  std::vector<std::optional<QuantSpec>> in_quant, out_quant;
  std::vector<DType> out_types;
  // A sequence/optional op (sequence_ops.h), run outside the kernel registry.
  bool sequence = false;
  // A node touching a string tensor (string_ops.h), also run outside the
  // registry; it reads the IR attributes (string tensor attributes have no
  // byte form).
  bool strings = false;
  ir::Attributes ir_attrs;
};

// Fills the quantisation fields of `s` from the subgraph's values.
void set_step_quant(Step& s, const ir::Graph& g);

class CpuProgram : public Program {
 public:
  std::vector<Step> steps;
  ThreadPool pool;
  int threads = 1;
  // Intermediates with static shapes, laid out in the working memory by
  // plan_reference_memory (reference_memory.cc).
  struct Planned {
    ir::ValueId value;
    size_t offset, bytes;
  };
  std::vector<Planned> planned;
  size_t workspace = 0;
  size_t workspace_bytes() const override { return workspace; }
};

// Plans p's static-shaped intermediates over its step order; sets
// p.planned and p.workspace.
void plan_reference_memory(CpuProgram& p, const ir::Graph& sub);
// Points those values into ctx.workspace() for this run; nothing when the
// context supplies no workspace that large (they are then allocated
// through ctx.allocate as they are produced).
void bind_reference_memory(const CpuProgram& p, RunContext& ctx);

// Runs one step's reference kernel against the runtime's tensors; throws
// rnpu::Error naming the node on failure.
void run_reference_step(const Step& s, RunContext& ctx, pthreadpool* pool);
// The step's time since t0 as its profile entry, when the run is profiled
// (every cpu step path: registry kernels, sequence and string ops).
void record_step(const Step& s, RunContext& ctx, std::chrono::steady_clock::time_point t0);

}  // namespace rnpu::cpu
