// libFuzzer target: arbitrary bytes as an ONNX model through the importer,
// shape inference, the pass pipeline (folding, fusion, layout), the
// partitioner and compilation on the cpu backend.  rnpu::Error is the
// expected way to reject input; anything else (a crash, a sanitizer
// report, another exception, an allocation beyond -malloc_limit_mb) is a bug.
#include <cstdint>
#include <cstdlib>

#include "ir/graph.h"
#include "onnx/importer.h"
#include "passes/shape_inference.h"
#include "rnpu/rnpu.hpp"

namespace {

// Compiling allocates the tensor arena: a model whose tensors really need
// gigabytes may have them, so such inputs stop after shape inference.
constexpr int64_t kMaxCompileTensorBytes = int64_t(64) << 20;

bool small_enough_to_compile(const rnpu::ir::Graph& g) {
  for (const rnpu::ir::Value& v : g.values) {
    auto n = v.shape.numel();
    if (!v.shape.is_static() || !n) continue;
    if (*n > kMaxCompileTensorBytes / 8) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Only the cpu backend: the Vulkan backend would probe the loader and
  // lavapipe in this instrumented process on every input.
  setenv("RNPU_VULKAN", "0", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    rnpu::ir::Graph g = rnpu::onnx::import_model(data, size, {});
    rnpu::passes::infer_shapes(g);
    if (!small_enough_to_compile(g)) return 0;
  } catch (const rnpu::Error&) {
    return 0;
  }
  rnpu::Options opts;
  opts.backends = {"cpu"};
  opts.allow_fallback = false;
  opts.num_threads = 1;
  try {
    rnpu::Session s = rnpu::Session::load_memory(data, size, opts);
    (void)s.inputs();
    (void)s.partition_report();
  } catch (const rnpu::Error&) {
  }
  return 0;
}
