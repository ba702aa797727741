// Owning handle for a pthreadpool (nullptr means "run on the caller").
#pragma once

#include <pthreadpool.h>

#include <memory>

namespace rnpu::cpu {

struct ThreadPoolDeleter {
  void operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }
};
using ThreadPool = std::unique_ptr<pthreadpool, ThreadPoolDeleter>;

// One thread runs inline (no pool); more create a pool of that size.
inline ThreadPool make_thread_pool(int threads) {
  return ThreadPool(threads > 1 ? pthreadpool_create(size_t(threads)) : nullptr);
}

}  // namespace rnpu::cpu
