// The reference kernel interface: one run function per ONNX operator, looked
// up by op type.  Kernels compute their output shapes at run time (so
// data-dependent shapes such as NonZero or a computed Reshape work) and ask
// the context for output memory, which lets the backend place outputs in
// planned buffers.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "attrs.h"
#include "tensor.h"

struct pthreadpool;

namespace rnpu::cpu {

// Every kernel failure is a KernelError whose message says what is wrong with
// which input or attribute; the backend prefixes the node name and op.
class KernelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& msg);
inline void check(bool cond, const char* msg) {
  if (!cond) fail(msg);
}

// Supplies memory for outputs; the default heap-allocates a fresh tensor.
using OutputAllocator = std::function<Tensor(size_t index, DType, const Shape&)>;

class KernelContext {
 public:
  KernelContext(const Attrs& attrs, std::vector<const Tensor*> inputs, std::vector<Tensor>* outputs,
                int opset = 17, pthreadpool* pool = nullptr);

  const Attrs& attrs() const { return attrs_; }
  int opset() const { return opset_; }
  pthreadpool* pool() const { return pool_; }

  size_t num_inputs() const { return inputs_.size(); }
  size_t num_outputs() const { return outputs_->size(); }
  // Required input; throws naming the index when it is absent.
  const Tensor& in(size_t i) const;
  // Optional input; nullptr when absent (past the end or an empty name).
  const Tensor* opt(size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  // Allocates output i (zero-filled) and returns it.
  Tensor& out(size_t i, DType dtype, const Shape& shape);
  // Stores an already built tensor as output i (for views and aliases).
  void set_out(size_t i, Tensor t);
  // Whether output i is consumed (optional outputs may be skipped).
  bool wants(size_t i) const { return i < outputs_->size(); }

  void set_allocator(OutputAllocator a) { alloc_ = std::move(a); }

 private:
  const Attrs& attrs_;
  std::vector<const Tensor*> inputs_;
  std::vector<Tensor>* outputs_;
  int opset_;
  pthreadpool* pool_;
  OutputAllocator alloc_;
};

using RunFn = void (*)(KernelContext&);

// The registry name of a node's kernel: the op alone for ai.onnx (domain ""
// or "ai.onnx"), "<domain>:<op>" for other domains (ai.onnx.ml), so an op
// of one domain never runs another domain's kernel of the same name.
std::string kernel_key(std::string_view domain, std::string_view op);

// A compile-time view of a node, for deciding support before running it.
struct NodeInfo {
  std::string_view op;
  const Attrs& attrs;
  std::vector<DType> input_types;  // kUndefined for absent optional inputs
  std::vector<DType> output_types;
  int opset = 17;
};

// Returns an empty string when supported, else the reason it is not.
using CheckFn = std::string (*)(const NodeInfo&);

// Half-precision (float16/bfloat16) acceptance flags for KernelDef:
// kHalfTypes: the registry widens half inputs to float, runs the float
// kernel and narrows float outputs back; kHalfNative: the kernel moves
// half elements itself (byte-level kernels such as Transpose or Gather).
constexpr unsigned kHalfTypes = 1u << 4;
constexpr unsigned kHalfNative = 1u << 5;
// kByteNative: the kernel only moves elements, so float8 and int4/uint4 (one
// byte each in memory) pass through it unchanged.  Kernels that compute --
// compare, reduce, scatter with a reduction -- must not carry it.
constexpr unsigned kByteNative = 1u << 6;

struct KernelDef {
  std::string op;
  RunFn run = nullptr;
  // Element types accepted for input 0 (TypeClass bits | kHalfTypes); 0 means
  // the kernel does its own checking in `check`.
  unsigned input0_types = 0;
  CheckFn check = nullptr;
};

class KernelRegistry {
 public:
  static const KernelRegistry& get();

  const KernelDef* find(std::string_view op) const;
  // "" when op/type/attributes are supported by a reference kernel.
  std::string why_unsupported(const NodeInfo& n) const;
  // Runs the kernel for `op`, widening half/bfloat16 inputs to float when
  // the kernel computes in float.  Throws KernelError.
  void run(std::string_view op, KernelContext& ctx) const;
  std::vector<std::string> ops() const;

  void add(KernelDef d);

 private:
  std::vector<KernelDef> defs_;  // sorted by op after construction
};

// Per-family registration; each lives in the family's .cc file.
void register_binary(KernelRegistry& r);
void register_unary(KernelRegistry& r);
void register_softmax(KernelRegistry& r);
void register_reduce(KernelRegistry& r);
void register_shape_ops(KernelRegistry& r);
void register_layout(KernelRegistry& r);
void register_concat_slice(KernelRegistry& r);
void register_indexing(KernelRegistry& r);
void register_cast(KernelRegistry& r);
void register_conv(KernelRegistry& r);
void register_matmul(KernelRegistry& r);
void register_pool(KernelRegistry& r);
void register_norm(KernelRegistry& r);
void register_quant(KernelRegistry& r);
void register_resize(KernelRegistry& r);
void register_misc(KernelRegistry& r);
void register_loss(KernelRegistry& r);
void register_signal(KernelRegistry& r);
void register_detection(KernelRegistry& r);
void register_rnn(KernelRegistry& r);
void register_ml(KernelRegistry& r);  // ai.onnx.ml, see ml.h
void register_col2im(KernelRegistry& r);
void register_center_crop_pad(KernelRegistry& r);
void register_affine_grid(KernelRegistry& r);
void register_group_norm(KernelRegistry& r);
void register_deform_conv(KernelRegistry& r);
void register_grid_sample(KernelRegistry& r);

}  // namespace rnpu::cpu
