// The CPU backend's fast program: a partition with static shapes compiled
// into steps that call XNNPACK operators (created, with packed weights, at
// compile time) or reference kernels, over buffers whose physical layout the
// compiler chose (NHWC through XNNPACK regions, NCHW elsewhere).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backends/cpu/kernels/tensor.h"
#include "backends/cpu/thread_pool.h"

namespace rnpu::cpu::fast {

// Where a tensor's bytes live during a run: the runtime's buffer for an IR
// value (planned arena or caller memory) or a program-owned scratch buffer.
struct Slot {
  ir::ValueId value = ir::kNoValue;
  int scratch = -1;
  bool valid() const { return value != ir::kNoValue || scratch >= 0; }
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

class FastState {
 public:
  FastState(RunContext& ctx, pthreadpool* pool, std::vector<Scratch>& scratch)
      : ctx_(ctx), pool_(pool), scratch_(scratch) {}
  RunContext& ctx() { return ctx_; }
  pthreadpool* pool() const { return pool_; }
  // Memory of `s`, which holds `bytes` bytes of `dtype` (logical shape
  // `shape` for runtime values): allocated through the runtime when the
  // value has no memory of that size yet.
  void* ptr(const Slot& s, DType dtype, const Shape& shape);

 private:
  RunContext& ctx_;
  pthreadpool* pool_;
  std::vector<Scratch>& scratch_;
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
  std::vector<Scratch> scratch;
  ThreadPool pool;
  int threads = 1;
  int xnn_ops = 0;  // steps that run XNNPACK operators (for reports)
};

}  // namespace rnpu::cpu::fast
