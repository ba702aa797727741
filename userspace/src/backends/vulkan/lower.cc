#include "lower.h"

#include <cstring>

#include "ir/graph.h"
#include "ops.h"

namespace rnpu::vk {

uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

size_t tensor_bytes(ir::DType t, int64_t numel) {
  size_t b = size_t(numel) * ir::dtype_size(t);
  return (b + 3) & ~size_t(3);
}

Kernel::Kernel(Lowerer& l, std::string shader) : l_(l) {
  d_.shader = std::move(shader);
}

Kernel& Kernel::spec(std::vector<uint32_t> s) {
  d_.spec = std::move(s);
  return *this;
}

Kernel& Kernel::in(uint32_t binding, Ref r) {
  refs_[binding] = r;
  return *this;
}

Kernel& Kernel::out(uint32_t binding, Ref r) {
  refs_[binding] = r;
  d_.write_mask |= 1u << binding;
  return *this;
}

Kernel& Kernel::u32(uint64_t v) {
  if (v > UINT32_MAX) l_.fail("a size exceeds 32 bits (" + std::to_string(v) + ")");
  if (d_.push_words == d_.push.size()) l_.fail("internal: too many push constants");
  d_.push_u32(uint32_t(v));
  return *this;
}

Kernel& Kernel::i32(int64_t v) {
  if (v < INT32_MIN || v > INT32_MAX)
    l_.fail("a value exceeds 32 bits (" + std::to_string(v) + ")");
  if (d_.push_words == d_.push.size()) l_.fail("internal: too many push constants");
  d_.push_u32(uint32_t(int32_t(v)));
  return *this;
}

Kernel& Kernel::f32(float v) {
  if (d_.push_words == d_.push.size()) l_.fail("internal: too many push constants");
  d_.push_f32(v);
  return *this;
}

Kernel& Kernel::grid(uint64_t invocations, uint32_t local) {
  try {
    d_.groups = grid_1d(invocations, local, l_.caps().limits);
  } catch (const Error& e) {
    l_.fail(e.reason());
  }
  return *this;
}

Kernel& Kernel::groups(uint32_t x, uint32_t y, uint32_t z) {
  const auto& m = l_.caps().limits.maxComputeWorkGroupCount;
  if (x > m[0] || y > m[1] || z > m[2])
    l_.fail("dispatch grid " + std::to_string(x) + "x" + std::to_string(y) + "x" +
            std::to_string(z) + " exceeds the device limit");
  d_.groups = {std::max(x, 1u), std::max(y, 1u), std::max(z, 1u)};
  return *this;
}

void Kernel::emit() {
  d_.tag = l_.cur_;
  l_.pending_.push_back({std::move(d_), refs_});
}

Lowerer::Lowerer(const ir::Graph& g, const Caps& caps)
    : g_(g), caps_(caps), dims_(g.values.size()), alias_of_(g.values.size(), -1) {
  for (size_t v = 0; v < g.values.size(); ++v) {
    const ir::Value& val = g.values[v];
    if (val.constant)
      dims_[v] = val.constant->dims;
    else
      dims_[v] = val.shape.values();
  }
}

int64_t Lowerer::numel(ir::ValueId v) const {
  int64_t n = 1;
  for (int64_t d : dims_[size_t(v)]) n *= d;
  return n;
}

Ref Lowerer::ref(ir::ValueId v) {
  if (v == ir::kNoValue) return {};
  return {Ref::kValue, root(v)};
}

int Lowerer::root(ir::ValueId v) const {
  while (alias_of_[size_t(v)] >= 0) v = alias_of_[size_t(v)];
  return v;
}

Ref Lowerer::constant(const void* data, size_t bytes) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  consts_.emplace_back(p, p + bytes);
  return {Ref::kConst, int(consts_.size() - 1)};
}

Ref Lowerer::temp(size_t bytes) {
  temps_.push_back({(bytes + 3) & ~size_t(3), cur_});
  return {Ref::kTemp, int(temps_.size() - 1)};
}

void Lowerer::alias(ir::ValueId out, ir::ValueId in) {
  alias_of_[size_t(out)] = in;
}

std::string Lowerer::shader(const std::string& base, ir::DType t) const {
  return t == ir::DType::kFloat16 ? base + "_f16" : base;
}

void Lowerer::fail(const std::string& why) const {
  ir::node_error(ErrorCode::kUnsupportedOp, g_.node(cur_), "vulkan: " + why);
}

void Lowerer::lower_all() {
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    cur_ = int(i);
    const ir::Node& n = g_.nodes[i];
    if (n.dead) continue;
    for (ir::ValueId v : n.outputs)
      if (v != ir::kNoValue)
        for (int64_t d : dims_[size_t(v)])
          if (d < 0) fail("output shape " + g_.value(v).shape.str() + " unknown at compile time");
    const OpImpl* op = find_op(n.op);
    if (!op) fail("op " + n.op + " has no Vulkan kernel");
    op->lower(*this, n);
  }
}

}  // namespace rnpu::vk
