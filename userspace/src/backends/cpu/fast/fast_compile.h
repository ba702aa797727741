// Compiles a partition with static shapes into a FastProgram.
#pragma once

#include <memory>
#include <string>

#include "backend/backend.h"
#include "fast_program.h"

namespace rnpu::cpu::fast {

// nullptr (with *why set) when the partition cannot take the fast path:
// XNNPACK unavailable, disabled by RNPU_CPU_XNNPACK=0, or a value whose
// shape is not known at compile time.
std::unique_ptr<FastProgram> compile_fast(const ir::Graph& g, const CompileOptions& o,
                                          std::string* why);

}  // namespace rnpu::cpu::fast
