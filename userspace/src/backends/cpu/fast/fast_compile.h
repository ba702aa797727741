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
// `shared_pool`, when given, is used instead of a pool of the program's own
// (the caller keeps it alive longer than the program).
std::unique_ptr<FastProgram> compile_fast(const ir::Graph& g, const CompileOptions& o,
                                          std::string* why, pthreadpool* shared_pool = nullptr);

// Why the fast path cannot be used at all (XNNPACK unavailable or disabled by
// RNPU_CPU_XNNPACK=0), or "" when it can.
std::string fast_path_unavailable();

// A value whose shape is not fully known, or kNoValue.
ir::ValueId first_dynamic_value(const ir::Graph& g);

}  // namespace rnpu::cpu::fast
