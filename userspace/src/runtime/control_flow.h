// Control flow on the host: If, Loop, Scan and SequenceMap nodes are run by
// the runtime itself.  Each node is one node of its graph (its partition belongs to
// this pseudo-backend, "host"); each body is compiled as a graph of its own
// by the same pipeline as a model (passes, partitioning over the session's
// backends, per-partition compile), into a nested Executor that the node
// runs once per branch taken or iteration.
#pragma once

#include <cstdint>

#include "backend/backend.h"
#include "partition/partitioner.h"
#include "rnpu/types.hpp"

namespace rnpu::runtime {

// Iterations one Loop or Scan node may run in one execution; a Loop whose
// trip count M exceeds it with no condition is refused before running,
// one whose condition keeps it going past it fails at the limit.
constexpr int64_t kMaxLoopIterations = int64_t(1) << 20;

class ControlFlowBackend : public Backend {
 public:
  // Bodies are partitioned over `set` and compiled with `opts`.
  ControlFlowBackend(const partition::BackendSet& set, const Options& opts)
      : set_(set), opts_(opts) {}

  std::string name() const override { return "host"; }
  bool available() const override { return true; }
  std::string description() const override {
    return "control flow (If, Loop, Scan, SequenceMap) run by the runtime; bodies on any backend";
  }
  // Bodies carry sequences and optionals (Loop state, If results) and
  // SequenceMap maps over sequences.
  bool runs_sequences() const override { return true; }
  // Outputs are allocated through the RunContext once their shape is known.
  bool uses_host_arena() const override { return false; }
  bool automatic() const override { return false; }
  Support supports(const ir::Graph& g, const ir::Node& n) const override;
  std::unique_ptr<Program> compile(const ir::Graph& subgraph, const CompileOptions& o) override;
  void run(Program& p, RunContext& ctx) override;

 private:
  partition::BackendSet set_;
  Options opts_;
};

}  // namespace rnpu::runtime
