// A recorded command buffer for one subgraph: kernel dispatches and
// buffer copies in order, with a pipeline barrier inserted only where a
// command touches bytes an earlier, not yet synchronised command wrote
// (read-after-write, write-after-write) or read (write-after-read).
// Descriptor sets and the command buffer are built once; every run is a
// single vkQueueSubmit.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "vk_context.h"
#include "vk_pipelines.h"

namespace rnpu::vk {

// A byte range of a VkBuffer (a tensor inside a suballocated block).
struct BufRange {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceSize offset = 0;
  VkDeviceSize size = 0;
};

// A byte range of a buffer as hazard tracking sees it (16-byte granules).
struct MemSpan {
  VkBuffer buf;
  VkDeviceSize lo, hi;
};

struct Dispatch {
  std::string shader;
  std::vector<uint32_t> spec;  // specialisation constants 0..n-1
  std::array<BufRange, kBindings> bind{};
  uint32_t write_mask = 0;  // bit i: binding i is written (others are read)
  std::array<uint32_t, kPushBytes / 4> push{};
  uint32_t push_words = 0;
  std::array<uint32_t, 3> groups{1, 1, 1};
  int tag = -1;  // caller's id (node index) for per-op timing

  void push_u32(uint32_t v) { push[push_words++] = v; }
  void push_f32(float v) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    push_u32(u);
  }
};

// Grid for n invocations of a 1-D kernel with `local` invocations per
// workgroup (flat_index() in common.glsl).
std::array<uint32_t, 3> grid_1d(uint64_t n, uint32_t local, const VkPhysicalDeviceLimits& l);

class Recording {
 public:
  Recording(std::shared_ptr<Context> ctx, std::shared_ptr<Pipelines> pipes);
  ~Recording();
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;

  void dispatch(Dispatch d);
  void copy(BufRange src, BufRange dst);  // src.size bytes
  // Creates pipelines, descriptor sets and records the command buffer.
  // With `timestamps`, a timestamp is written whenever the tag changes.
  void build(bool timestamps);
  // Submits and waits; throws kDevice on failure (device lost, timeout).
  void run() {
    submit();
    wait();
  }
  void submit();
  void wait();
  // After run() of a build(true): (tag, ns) per run of consecutive commands.
  std::vector<std::pair<int, double>> timings() const;

  size_t dispatches() const { return n_dispatch_; }
  size_t barriers() const { return n_barrier_; }

 private:
  struct Cmd {
    bool is_copy = false;
    Dispatch d;
    BufRange src, dst;
  };
  static void spans_of(const Cmd& c, std::vector<MemSpan>* r, std::vector<MemSpan>* w);
  void schedule();
  std::shared_ptr<Context> ctx_;
  std::shared_ptr<Pipelines> pipes_;
  std::vector<Cmd> cmds_;
  VkDescriptorPool pool_ = VK_NULL_HANDLE;
  VkCommandPool cmd_pool_ = VK_NULL_HANDLE;
  VkCommandBuffer cb_ = VK_NULL_HANDLE;
  VkFence fence_ = VK_NULL_HANDLE;
  VkQueryPool queries_ = VK_NULL_HANDLE;
  uint32_t n_queries_ = 0;
  std::vector<int> ts_tags_;  // tag of the commands after timestamp i
  size_t n_dispatch_ = 0, n_barrier_ = 0;
  bool built_ = false;
};

}  // namespace rnpu::vk
