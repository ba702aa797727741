// Shared setup for the Vulkan tests: one device for the process, and
// small helpers to run single dispatches on host-visible buffers.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

#include "backends/vulkan/vk_context.h"
#include "backends/vulkan/vk_memory.h"
#include "backends/vulkan/vk_pipelines.h"
#include "backends/vulkan/vk_recording.h"

namespace rnpu::vk::test {

struct Env {
  std::shared_ptr<Context> ctx;
  std::shared_ptr<Allocator> alloc;
  std::shared_ptr<Pipelines> pipes;
  std::string why;  // when ctx is null
};

// The process-wide device (pipeline cache disabled); ctx null when none.
Env& env();

// Skips the test, loudly, when there is no Vulkan device.
#define RNPU_VK_REQUIRE_DEVICE()                                                    \
  do {                                                                              \
    if (!::rnpu::vk::test::env().ctx)                                               \
      GTEST_SKIP() << "NOT RUN: no Vulkan device: " << ::rnpu::vk::test::env().why; \
  } while (0)

// A host-visible buffer holding floats.
struct HostBuf {
  Allocation a;
  size_t count = 0;
  float* f() const { return reinterpret_cast<float*>(a.host()); }
  BufRange range() const { return {a.buffer(), a.offset(), count * 4}; }
};
HostBuf upload(const std::vector<float>& v);
HostBuf zeros(size_t n);
std::vector<float> download(const HostBuf& b);

std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1, float hi = 1);

// Runs the dispatches in one recording.
void run(std::vector<Dispatch> ds);

// Max |a-b| / (abs + rel*|b|) style check with a readable failure.
void expect_near(const std::vector<float>& got, const std::vector<float>& want, double abs,
                 double rel);

}  // namespace rnpu::vk::test
