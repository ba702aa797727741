// The CPU backend's fast program: a partition with static shapes compiled
// into steps that call XNNPACK operators (created, with packed weights, at
// compile time) or reference kernels, over buffers whose physical layout the
// compiler chose (NHWC through XNNPACK regions, NCHW elsewhere).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backends/cpu/kernels/tensor.h"
#include "backends/cpu/thread_pool.h"

namespace rnpu::cpu::fast {

// Where a tensor's bytes live during a run: the runtime's buffer for an IR
// value at the partition boundary (inputs, outputs, constants) or one of the
// program's own buffers (every intermediate, and layout copies).
struct Slot {
  ir::ValueId value = ir::kNoValue;
  int buf = -1;
};

// A program-owned buffer.  Non-persistent buffers share the program's
// working memory (Program::workspace_bytes, placed by the runtime in its
// arena), laid out by their live intervals in step order; persistent ones
// (constants permuted at compile time) have memory of their own.
struct Buffer {
  size_t bytes = 0;
  bool persistent = false;
  int first = -1, last = -1;  // steps that write first / touch last
  size_t offset = 0;
  void* fixed = nullptr;  // persistent memory
};

// Program-owned memory, 64-byte aligned, with XNNPACK's read-overrun slack.
class Scratch {
 public:
  explicit Scratch(size_t bytes);
  void* data() const { return mem_.get(); }
  size_t size() const { return size_; }

 private:
  std::shared_ptr<void> mem_;
  size_t size_;
};

class FastProgram;

class FastState {
 public:
  FastState(RunContext& ctx, FastProgram& p);
  RunContext& ctx() { return ctx_; }
  pthreadpool* pool() const { return pool_; }
  // Memory of `s`; a runtime value of logical shape `shape` is allocated
  // through the runtime when it has no memory of that size yet.
  void* ptr(const Slot& s, DType dtype, const Shape& shape);

 private:
  RunContext& ctx_;
  pthreadpool* pool_;
  const std::vector<void*>& bufs_;
};

class FastStep {
 public:
  virtual ~FastStep() = default;
  virtual void run(FastState& st) = 0;
  std::string node, op;  // for profiles and errors; internal steps name their purpose
};

class FastProgram : public Program {
 public:
  std::vector<std::unique_ptr<FastStep>> steps;
  std::vector<Buffer> bufs;
  std::vector<void*> buf_ptr;                    // resolved by bind_workspace() for each run
  std::vector<Scratch> memory;                   // persistent buffers
  std::vector<std::shared_ptr<void>> constants;  // keeps constant data read in place alive
  size_t arena_bytes = 0;              // working memory of one run, XNNPACK slack included
  ThreadPool pool;                     // owned, or
  pthreadpool* shared_pool = nullptr;  // borrowed from the program's owner
  pthreadpool* threadpool() const { return pool ? pool.get() : shared_pool; }
  int threads = 1;
  int xnn_ops = 0;  // steps that run XNNPACK operators (for reports)

  size_t workspace_bytes() const override { return arena_bytes; }

  // Plans the non-persistent buffers' offsets in the working memory with
  // the core planner (plan::plan_memory: largest first, best fit, never
  // overlapping two buffers live at the same step, XNNPACK's read slack
  // after each).
  void place_buffers();
  // Points the buffers into `ws`, the runtime's workspace for this run
  // (RunContext::workspace), or into memory of the program's own when the
  // caller supplies none that large (contexts outside the executor, e.g.
  // constant folding); that memory is allocated on the first such run.
  void bind_workspace(std::span<uint8_t> ws);

 private:
  uint8_t* bound_ = nullptr;  // base buf_ptr points into
  std::unique_ptr<Scratch> own_;
};

// Times a fast program in this process allocated working memory of its
// own because its run context supplied none (tests prove that runs inside
// a session use the executor's arena).
uint64_t own_workspace_allocations();

}  // namespace rnpu::cpu::fast
