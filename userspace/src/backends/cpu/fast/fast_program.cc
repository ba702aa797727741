#include "fast_program.h"

#include <xnnpack.h>

#include <cstdlib>
#include <cstring>

#include "backends/cpu/convert.h"
#include "backends/cpu/kernels/kernel.h"

namespace rnpu::cpu::fast {

Scratch::Scratch(size_t bytes) : size_(bytes) {
  size_t alloc = (bytes + XNN_EXTRA_BYTES + 63) & ~size_t(63);
  void* p = std::aligned_alloc(64, alloc);
  if (!p) fail("out of memory allocating " + std::to_string(bytes) + " scratch bytes");
  std::memset(p, 0, alloc);
  mem_ = std::shared_ptr<void>(p, std::free);
}

void* FastState::ptr(const Slot& s, DType dtype, const Shape& shape) {
  if (s.scratch >= 0) return scratch_[size_t(s.scratch)].data();
  HostTensor& h = ctx_.tensor(s.value);
  size_t bytes = size_t(shape_numel(shape)) * dtype_size(dtype);
  if (h.data && h.size >= bytes) return h.data;
  return ctx_.allocate(s.value, to_ir(dtype), shape);
}

}  // namespace rnpu::cpu::fast
