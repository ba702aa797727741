// The SPIR-V of every kernel, compiled from shaders/*.comp by glslc at
// build time and embedded in the library (generated headers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace rnpu::vk {

struct Spirv {
  const char* name;  // "conv2d_gemm", "binary", ... (variant suffix "_f16" for fp16 storage)
  const uint32_t* words;
  size_t bytes;
};

// nullptr when no such shader was built in.
const Spirv* find_spirv(std::string_view name);
std::span<const Spirv> all_spirv();

}  // namespace rnpu::vk
