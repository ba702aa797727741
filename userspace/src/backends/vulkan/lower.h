// Lowering of a partition (an ir::Graph with static shapes) into kernel
// dispatches.  Op handlers (ops_*.cc) see values as whole-tensor Refs and
// emit Kernels; build() then places every tensor (constants, partition
// inputs/outputs, a liveness-planned arena for intermediates), resolves
// Refs into buffer ranges and records the command buffer (Executable).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "ir/graph.h"
#include "vk_memory.h"
#include "vk_pipelines.h"
#include "vk_recording.h"

namespace rnpu::vk {

// A whole tensor by what holds it.
struct Ref {
  enum Kind : uint8_t { kNone, kValue, kConst, kTemp } kind = kNone;
  int id = -1;
  explicit operator bool() const { return kind != kNone; }
};

// What the kernels may rely on about the device.
struct Caps {
  bool fp16_storage = false;
  // Kernel family: register-blocked kernels without shared memory for CPU
  // implementations (lavapipe), shared-memory tiling for GPUs.
  // RNPU_VULKAN_KERNELS=cpu|gpu overrides the choice by device type.
  bool cpu_kernels = false;
  VkPhysicalDeviceLimits limits{};
};

class Lowerer;

// A dispatch under construction: Kernel(L, "binary").spec(..).in(0, a)...emit().
class Kernel {
 public:
  Kernel(Lowerer& l, std::string shader);
  // Specialisation constants by id.  Ids 0..2 are the fused activation in
  // every kernel (activation.glsl); kernel-specific ones start at 3.
  Kernel& spec(std::vector<uint32_t> s);
  Kernel& in(uint32_t binding, Ref r);
  Kernel& out(uint32_t binding, Ref r);
  Kernel& u32(uint64_t v);  // throws if v does not fit 32 bits
  Kernel& i32(int64_t v);
  Kernel& f32(float v);
  Kernel& grid(uint64_t invocations, uint32_t local = 256);  // 1-D, flat_index()
  Kernel& groups(uint32_t x, uint32_t y = 1, uint32_t z = 1);
  void emit();

 private:
  Lowerer& l_;
  Dispatch d_;
  std::array<Ref, kBindings> refs_{};
};

// Host data a kernel consumes at the given binding type.
uint32_t f32_bits(float f);

class Lowerer {
 public:
  Lowerer(const ir::Graph& g, const Caps& caps);

  const ir::Graph& graph() const { return g_; }
  const Caps& caps() const { return caps_; }
  const ir::Node& node() const { return g_.node(cur_); }

  const std::vector<int64_t>& dims(ir::ValueId v) const { return dims_[size_t(v)]; }
  int64_t numel(ir::ValueId v) const;
  ir::DType dtype(ir::ValueId v) const { return g_.value(v).dtype; }
  Ref ref(ir::ValueId v);
  // A device constant prepared on the host (folded BN scale, int32 indices...).
  Ref constant(const void* data, size_t bytes);
  Ref constant_f32(const std::vector<float>& v) { return constant(v.data(), v.size() * 4); }
  // Scratch memory live only during the current node.
  Ref temp(size_t bytes);
  // `out` is `in` reinterpreted (Reshape & co): no copy, same storage.
  void alias(ir::ValueId out, ir::ValueId in);
  // "binary" or "binary_f16" for the value's float storage type.
  std::string shader(const std::string& base, ir::DType t) const;

  // Throws rnpu::Error(kUnsupportedOp) naming the current node.
  [[noreturn]] void fail(const std::string& why) const;

  // Lowers every node (through the op table) in order.
  void lower_all();

  struct Pending {
    Dispatch d;
    std::array<Ref, kBindings> refs;
  };

 private:
  friend class Kernel;
  friend class Executable;
  int root(ir::ValueId v) const;

  const ir::Graph& g_;
  Caps caps_;
  std::vector<std::vector<int64_t>> dims_;
  std::vector<int> alias_of_;  // -1 or the value this one aliases
  std::vector<std::vector<uint8_t>> consts_;
  struct Temp {
    size_t bytes;
    int node;
  };
  std::vector<Temp> temps_;
  std::vector<Pending> pending_;
  int cur_ = 0;
};

// Bytes of a tensor of `numel` elements of `t` (int8 rounded up to words).
size_t tensor_bytes(ir::DType t, int64_t numel);

}  // namespace rnpu::vk
