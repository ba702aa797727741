// Partitions whose shapes depend on the inputs (symbolic batch, image size,
// sequence length).  The runtime resolves every value's shape for the bound
// inputs before a run; a fast program is compiled for each distinct
// signature of resolved shapes on first sight and cached.  The signature
// holds every shape the program is pinned to, not only the partition
// inputs': intermediate shapes can follow the values of shape tensors that
// enter the partition (Shape computed in another partition, then Reshape).
// Values whose shapes stay unknown (data-dependent ops such as NonZero) run
// the reference program.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "backend/backend.h"
#include "fast/fast_program.h"
#include "program.h"

namespace rnpu::cpu {

class DynamicProgram : public Program {
 public:
  // `sub` is the partition as the fast path compiles it; values past
  // `runtime_values` were added by the compiler and take their shape from
  // shape_source[v - runtime_values].
  DynamicProgram(const ir::Graph& sub, size_t runtime_values, std::vector<ir::ValueId> shape_source,
                 const CompileOptions& o, std::unique_ptr<CpuProgram> reference);
  void run(RunContext& ctx);

  static constexpr size_t kMaxSpecializations = 4;
  size_t specializations() const { return cache_.size(); }

 private:
  struct Entry {
    std::vector<std::vector<int64_t>> key;       // shapes of keyed_, as resolved
    std::unique_ptr<fast::FastProgram> program;  // null: use the reference program
    uint64_t last_use = 0;
  };
  Entry& specialize(RunContext& ctx, std::vector<std::vector<int64_t>> key);

  ir::Graph sub_;
  size_t runtime_values_;
  std::vector<ir::ValueId> shape_source_;
  std::vector<ir::ValueId> keyed_;  // runtime ids whose shapes a specialisation pins
  CompileOptions opts_;
  std::unique_ptr<CpuProgram> reference_;
  std::vector<Entry> cache_;
  uint64_t clock_ = 0;
};

// Runs a fast program's steps.
void run_fast(fast::FastProgram& p, RunContext& ctx);

}  // namespace rnpu::cpu
