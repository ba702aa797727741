// Runs a partitioned graph: compiles each partition on its backend, plans
// the intermediate arena, binds caller buffers and drives the backends.
// A run allocates nothing for tensors whose shapes are known before it
// starts (the arena is planned once per input-shape signature); only
// data-dependent outputs get memory during the run, reused across runs.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "artifact/artifact.h"
#include "backend/backend.h"
#include "ir/graph.h"
#include "partition/partitioner.h"
#include "rnpu/types.hpp"
#include "runtime/arena_memory.h"
#include "runtime/control_flow.h"

namespace rnpu::runtime {

struct CompiledPartition {
  Backend* backend = nullptr;
  std::vector<ir::NodeId> nodes;  // in the executor's graph, execution order
  ir::Graph sub;
  std::vector<ir::ValueId> sub_to_parent;
  std::unique_ptr<Program> program;
  int first_step = 0, last_step = 0;
  // The program's working memory in the arena: offset, bytes (0: none).
  std::pair<size_t, size_t> workspace{0, 0};
};

class Executor {
 public:
  // precompiled: programs from a compiled artifact; a partition whose
  // backend format and fingerprint match one is loaded instead of compiled.
  // plan: the artifact's partitions (partition::apply_plan), used instead
  // of partitioning and optimising g, which is then the artifact's graph.
  Executor(ir::Graph g, const partition::BackendSet& set, const Options& opts,
           const std::vector<artifact::ProgramBlob>* precompiled = nullptr,
           const std::vector<artifact::PlannedPartition>* plan = nullptr);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  const ir::Graph& graph() const { return g_; }
  const std::vector<TensorInfo>& inputs() const { return input_info_; }
  const std::vector<TensorInfo>& outputs() const { return output_info_; }
  const std::vector<PartitionDecision>& decisions() const { return decisions_; }
  size_t num_partitions() const { return parts_.size(); }

  void set_input(size_t i, const void* data, size_t size, std::span<const int64_t> shape);
  // Sequence inputs (elements used in place) and absent optional inputs.
  void set_input_sequence(size_t i, std::span<const TensorView> elements);
  void set_input_absent(size_t i);
  // A sequence the runtime already holds (a control-flow node's value),
  // shared as is: its elements are immutable.
  void set_input_sequence(size_t i, std::shared_ptr<const ir::Sequence> seq);
  // A string tensor input: the elements are copied into a shared list.
  void set_input_strings(size_t i, std::span<const std::string> elements,
                         std::span<const int64_t> shape);
  void set_output(size_t i, void* data, size_t size);
  void run();  // start() + finish()
  // Pipelined runs: start() takes the inputs and begins a run; finish()
  // completes the oldest started run and makes its outputs current.  Up to
  // pipeline_depth() runs may be started before the first is finished.
  void start();
  void finish();
  size_t pipeline_depth() const;
  TensorView output(size_t i) const;
  bool output_has_element(size_t i) const;
  size_t output_sequence_length(size_t i) const;
  TensorView output_element(size_t i, size_t position) const;
  // The sequence output i holds, shared (valid past the next run).
  std::shared_ptr<const ir::Sequence> output_sequence(size_t i) const;
  // A string tensor output (shared, valid past the next run) and its shape.
  ir::StringsPtr output_strings(size_t i, std::vector<int64_t>* shape) const;
  std::vector<OpProfile> profile() const;
  // Host working memory of a run: intermediate tensors of statically known
  // shape plus the programs' workspaces (docs/userspace.md, "Memory planning").
  size_t arena_bytes() const { return arena_peak_; }
  // Saved forms of every partition whose backend can save programs.
  std::vector<artifact::ProgramBlob> export_programs() const;
  // The graph as it runs and its partition plan (the artifact's GRAPH).
  std::vector<uint8_t> export_graph() const;
  size_t programs_loaded() const { return programs_loaded_; }
  std::vector<NpuReport> npu_reports() const;
  // Identifies a partition's nodes, shapes and backend format.
  static std::string fingerprint(const ir::Graph& sub, const std::string& format);

 private:
  struct Slot;
  class PartCtx;
  friend class PartCtx;

  using Clock = std::chrono::steady_clock;
  void prepare();
  void check_input_shape(size_t i, std::span<const int64_t> shape) const;  // mu_ held
  void reset_slots();
  void complete(CompiledPartition& p, PartCtx& ctx, Clock::time_point t0);
  void* allocate(ir::ValueId v, ir::DType dt, std::span<const int64_t> shape);
  std::span<uint8_t> workspace_of(const CompiledPartition& p) const;
  const Slot& produced_output(size_t i) const;     // mu_ held
  const ir::Sequence& output_seq(size_t i) const;  // mu_ held

  ir::Graph g_;
  Options opts_;
  std::unique_ptr<ControlFlowBackend> host_;  // runs If/Loop/Scan; outlives parts_' programs
  std::vector<CompiledPartition> parts_;
  std::vector<PartitionDecision> decisions_;
  std::vector<TensorInfo> input_info_, output_info_;
  // input_info_[i], or kInvalidArgument naming the input count.
  const TensorInfo& checked_input(size_t i) const;
  std::vector<ir::NodeId> order_;

  std::vector<Slot> slots_;  // per graph value
  struct Binding {
    const void* data = nullptr;
    void* out = nullptr;
    size_t size = 0;
    std::vector<int64_t> shape;
    bool set = false;
    std::shared_ptr<const ir::Sequence> seq;  // a sequence input
    ir::StringsPtr strings;                   // a string tensor input
    bool absent = false;                      // an optional input without element
  };
  std::vector<Binding> in_bind_, out_bind_;

  // Resolved per input-shape signature.
  std::vector<int64_t> signature_;
  bool prepared_ = false;
  std::vector<ir::Shape> resolved_;                  // per value
  std::vector<std::vector<int64_t>> resolved_dims_;  // static dims per value, else empty
  ArenaMemory arena_;
  size_t arena_peak_ = 0;

  std::vector<OpProfile> profile_;
  size_t programs_loaded_ = 0;
  std::deque<Clock::time_point> started_;  // one per run in flight, oldest first
  mutable std::mutex mu_;
};

}  // namespace rnpu::runtime
