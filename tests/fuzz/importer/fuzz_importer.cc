// libFuzzer target: arbitrary bytes as an ONNX model through the importer,
// the pass pipeline (shape inference, folding, fusion, layout), the
// partitioner and compilation on the cpu backend.  rnpu::Error is the
// expected way to reject input; anything else (a crash, a sanitizer
// report, another exception, an allocation beyond -malloc_limit_mb) is a bug.
#include <cstdint>
#include <cstdlib>

#include "onnx/importer.h"
#include "rnpu/rnpu.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Only the cpu backend: the Vulkan backend would probe the loader and
  // lavapipe in this instrumented process on every input.
  setenv("RNPU_VULKAN", "0", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    rnpu::onnx::import_model(data, size, {});
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
