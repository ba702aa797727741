// Memory for XNNPACK's packed weights and the fast path's arenas, backed by
// transparent huge pages where the kernel allows them (THP "madvise" mode
// is the Debian default).  Packed weights are streamed on every inference;
// 2 MiB pages cut the TLB misses of doing so (3-8% on transformer-sized
// fully-connected layers, measured with the gemm bench).
#pragma once

#include <cstddef>

struct xnn_allocator;

namespace rnpu::cpu::fast {

// The allocator handed to xnn_initialize: large aligned blocks come from
// huge-page chunks, everything else from libc.
const xnn_allocator* huge_page_allocator();

// A block of at least `bytes`, 64-byte aligned, huge-page backed when large;
// release with huge_free.
void* huge_alloc(size_t bytes);
void huge_free(void* p);

}  // namespace rnpu::cpu::fast
