#include "vk_recording.h"

#include <algorithm>

#include "rnpu/types.hpp"

namespace rnpu::vk {

namespace {

// Byte ranges are compared at 16-byte granularity: kernels that pack
// sub-word elements (int8) write whole 32-bit words.
using Span = MemSpan;

bool overlaps(const std::vector<Span>& set, const Span& s) {
  for (const Span& x : set)
    if (x.buf == s.buf && x.lo < s.hi && s.lo < x.hi) return true;
  return false;
}

Span span_of(const BufRange& r) {
  return {r.buffer, r.offset & ~VkDeviceSize(15), (r.offset + r.size + 15) & ~VkDeviceSize(15)};
}

// Safety net for a hung kernel (a device reset beats a hung process).
constexpr uint64_t kRunTimeoutNs = 120ull * 1000 * 1000 * 1000;

}  // namespace

void Recording::spans_of(const Cmd& c, std::vector<MemSpan>* r, std::vector<MemSpan>* w) {
  r->clear();
  w->clear();
  if (c.is_copy) {
    r->push_back(span_of(c.src));
    w->push_back(span_of({c.dst.buffer, c.dst.offset, c.src.size}));
    return;
  }
  for (uint32_t b = 0; b < kBindings; ++b) {
    if (!c.d.bind[b].buffer) continue;
    ((c.d.write_mask >> b) & 1 ? w : r)->push_back(span_of(c.d.bind[b]));
  }
}

// Orders commands by dependency level (longest chain of memory hazards
// before them), keeping the recorded order within a level: independent
// commands (parallel branches, concat inputs) then sit between the same
// two barriers instead of each needing its own.
void Recording::schedule() {
  size_t n = cmds_.size();
  std::vector<std::vector<Span>> rs(n), ws(n);
  for (size_t i = 0; i < n; ++i) spans_of(cmds_[i], &rs[i], &ws[i]);
  std::vector<int> level(n, 0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < i; ++j) {
      if (level[j] < level[i]) continue;  // cannot raise i's level
      bool dep = false;
      for (const Span& x : rs[i]) dep = dep || overlaps(ws[j], x);
      for (const Span& x : ws[i]) dep = dep || overlaps(ws[j], x) || overlaps(rs[j], x);
      if (dep) level[i] = level[j] + 1;
    }
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;

  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return level[a] < level[b]; });
  std::vector<Cmd> sorted;
  sorted.reserve(n);
  for (size_t i : order) sorted.push_back(std::move(cmds_[i]));
  cmds_ = std::move(sorted);
}

std::array<uint32_t, 3> grid_1d(uint64_t n, uint32_t local, const VkPhysicalDeviceLimits& l) {
  uint64_t groups = (n + local - 1) / local;
  uint64_t maxx = std::min<uint64_t>(l.maxComputeWorkGroupCount[0], 65535);
  if (groups <= maxx) return {uint32_t(std::max<uint64_t>(groups, 1)), 1, 1};
  uint64_t y = (groups + maxx - 1) / maxx;
  if (y > l.maxComputeWorkGroupCount[1])
    throw Error(ErrorCode::kUnsupportedOp,
                "vulkan: " + std::to_string(n) + " elements exceed the device's dispatch grid");
  return {uint32_t(maxx), uint32_t(y), 1};
}

Recording::Recording(std::shared_ptr<Context> ctx, std::shared_ptr<Pipelines> pipes)
    : ctx_(std::move(ctx)), pipes_(std::move(pipes)) {}

Recording::~Recording() {
  const Api& a = ctx_->api;
  VkDevice dev = ctx_->device;
  if (fence_) a.vkDestroyFence(dev, fence_, nullptr);
  if (queries_) a.vkDestroyQueryPool(dev, queries_, nullptr);
  if (cmd_pool_) a.vkDestroyCommandPool(dev, cmd_pool_, nullptr);
  if (pool_) a.vkDestroyDescriptorPool(dev, pool_, nullptr);
}

void Recording::dispatch(Dispatch d) {
  Cmd c;
  c.d = std::move(d);
  cmds_.push_back(std::move(c));
}

void Recording::copy(BufRange src, BufRange dst) {
  Cmd c;
  c.is_copy = true;
  c.src = src;
  c.dst = dst;
  c.d.tag = cmds_.empty() ? -1 : cmds_.back().d.tag;
  cmds_.push_back(std::move(c));
}

void Recording::build(bool timestamps) {
  const Api& a = ctx_->api;
  VkDevice dev = ctx_->device;
  timestamps = timestamps && ctx_->info.timestamps;
  // Per-op timing needs each op's commands together, so only untimed
  // recordings are reordered.
  if (!timestamps) schedule();
  size_t nd = 0;
  for (const Cmd& c : cmds_) nd += !c.is_copy;

  if (nd) {
    VkDescriptorPoolSize ps{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, uint32_t(nd * kBindings)};
    VkDescriptorPoolCreateInfo pci{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    pci.maxSets = uint32_t(nd);
    pci.poolSizeCount = 1;
    pci.pPoolSizes = &ps;
    check(a.vkCreateDescriptorPool(dev, &pci, nullptr, &pool_), "vkCreateDescriptorPool");
  }
  std::vector<VkDescriptorSet> sets(nd);
  if (nd) {
    std::vector<VkDescriptorSetLayout> layouts(nd, pipes_->set_layout());
    VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    ai.descriptorPool = pool_;
    ai.descriptorSetCount = uint32_t(nd);
    ai.pSetLayouts = layouts.data();
    check(a.vkAllocateDescriptorSets(dev, &ai, sets.data()), "vkAllocateDescriptorSets");
  }
  // Unused bindings point at binding 0's range: every declared binding of
  // the layout must be valid.
  std::vector<VkDescriptorBufferInfo> infos;
  infos.reserve(nd * kBindings);
  std::vector<VkWriteDescriptorSet> writes;
  std::vector<VkPipeline> pipelines;
  size_t k = 0;
  for (const Cmd& c : cmds_) {
    if (c.is_copy) continue;
    BufRange fallback;
    for (const BufRange& r : c.d.bind)
      if (r.buffer) {
        fallback = r;
        break;
      }
    for (uint32_t b = 0; b < kBindings; ++b) {
      const BufRange& r = c.d.bind[b].buffer ? c.d.bind[b] : fallback;
      infos.push_back({r.buffer, r.offset, std::max<VkDeviceSize>(r.size, 4)});
      VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
      w.dstSet = sets[k];
      w.dstBinding = b;
      w.descriptorCount = 1;
      w.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      w.pBufferInfo = &infos.back();
      writes.push_back(w);
    }
    pipelines.push_back(pipes_->get(c.d.shader, c.d.spec));
    ++k;
  }
  if (!writes.empty())
    a.vkUpdateDescriptorSets(dev, uint32_t(writes.size()), writes.data(), 0, nullptr);

  VkCommandPoolCreateInfo cpi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  cpi.queueFamilyIndex = ctx_->queue_family;
  check(a.vkCreateCommandPool(dev, &cpi, nullptr, &cmd_pool_), "vkCreateCommandPool");
  VkCommandBufferAllocateInfo cai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cai.commandPool = cmd_pool_;
  cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cai.commandBufferCount = 1;
  check(a.vkAllocateCommandBuffers(dev, &cai, &cb_), "vkAllocateCommandBuffers");
  VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  check(a.vkCreateFence(dev, &fci, nullptr, &fence_), "vkCreateFence");

  ts_tags_.clear();
  if (timestamps) {
    // One timestamp before each run of commands with the same tag, one at the end.
    int prev = -2;
    size_t n = 0;
    for (const Cmd& c : cmds_)
      if (c.d.tag != prev) {
        ++n;
        prev = c.d.tag;
      }
    VkQueryPoolCreateInfo qci{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    qci.queryType = VK_QUERY_TYPE_TIMESTAMP;
    qci.queryCount = uint32_t(n + 1);
    check(a.vkCreateQueryPool(dev, &qci, nullptr, &queries_), "vkCreateQueryPool");
    n_queries_ = qci.queryCount;
  }

  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  check(a.vkBeginCommandBuffer(cb_, &bi), "vkBeginCommandBuffer");
  if (queries_) a.vkCmdResetQueryPool(cb_, queries_, 0, n_queries_);
  std::vector<Span> pend_r, pend_w;
  VkPipelineStageFlags pend_stages = 0;
  n_barrier_ = 0;
  n_dispatch_ = 0;
  VkPipeline bound = VK_NULL_HANDLE;
  int prev_tag = -2;
  k = 0;
  for (const Cmd& c : cmds_) {
    std::vector<Span> r, w;
    spans_of(c, &r, &w);
    VkPipelineStageFlags stage =
        c.is_copy ? VK_PIPELINE_STAGE_TRANSFER_BIT : VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT;
    bool hazard = false;
    for (const Span& s : r) hazard |= overlaps(pend_w, s);
    for (const Span& s : w) hazard |= overlaps(pend_w, s) || overlaps(pend_r, s);
    if (hazard) {
      VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
      mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
      mb.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                         VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
      a.vkCmdPipelineBarrier(cb_, pend_stages, stage, 0, 1, &mb, 0, nullptr, 0, nullptr);
      ++n_barrier_;
      pend_r.clear();
      pend_w.clear();
      pend_stages = 0;
    }
    pend_r.insert(pend_r.end(), r.begin(), r.end());
    pend_w.insert(pend_w.end(), w.begin(), w.end());
    pend_stages |= stage;

    if (queries_ && c.d.tag != prev_tag) {
      a.vkCmdWriteTimestamp(cb_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries_,
                            uint32_t(ts_tags_.size()));
      ts_tags_.push_back(c.d.tag);
      prev_tag = c.d.tag;
    }
    if (c.is_copy) {
      VkBufferCopy region{c.src.offset, c.dst.offset, c.src.size};
      a.vkCmdCopyBuffer(cb_, c.src.buffer, c.dst.buffer, 1, &region);
      continue;
    }
    if (pipelines[k] != bound) {
      a.vkCmdBindPipeline(cb_, VK_PIPELINE_BIND_POINT_COMPUTE, pipelines[k]);
      bound = pipelines[k];
    }
    a.vkCmdBindDescriptorSets(cb_, VK_PIPELINE_BIND_POINT_COMPUTE, pipes_->layout(), 0, 1, &sets[k],
                              0, nullptr);
    if (c.d.push_words)
      a.vkCmdPushConstants(cb_, pipes_->layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                           c.d.push_words * 4, c.d.push.data());
    a.vkCmdDispatch(cb_, c.d.groups[0], c.d.groups[1], c.d.groups[2]);
    ++n_dispatch_;
    ++k;
  }
  if (queries_)
    a.vkCmdWriteTimestamp(cb_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries_,
                          uint32_t(ts_tags_.size()));
  // Make the results visible to host reads after the fence.
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  a.vkCmdPipelineBarrier(cb_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, nullptr, 0, nullptr);
  check(a.vkEndCommandBuffer(cb_), "vkEndCommandBuffer");
  built_ = true;
}

void Recording::submit() {
  if (!built_) throw Error(ErrorCode::kInternal, "vulkan: recording run before build");
  const Api& a = ctx_->api;
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cb_;
  check(a.vkResetFences(ctx_->device, 1, &fence_), "vkResetFences");
  check(ctx_->submit(si, fence_), "vkQueueSubmit");
}

void Recording::wait() {
  const Api& a = ctx_->api;
  VkResult r = a.vkWaitForFences(ctx_->device, 1, &fence_, VK_TRUE, kRunTimeoutNs);
  if (r == VK_TIMEOUT)
    throw Error(ErrorCode::kDevice, "vulkan: command buffer did not finish within 120 s");
  check(r, "vkWaitForFences");
}

std::vector<std::pair<int, double>> Recording::timings() const {
  std::vector<std::pair<int, double>> out;
  if (!queries_ || ts_tags_.empty()) return out;
  std::vector<uint64_t> ts(ts_tags_.size() + 1);
  VkResult r = ctx_->api.vkGetQueryPoolResults(ctx_->device, queries_, 0, uint32_t(ts.size()),
                                               ts.size() * 8, ts.data(), 8,
                                               VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
  if (r != VK_SUCCESS) return out;
  for (size_t i = 0; i < ts_tags_.size(); ++i)
    out.push_back({ts_tags_[i], double(ts[i + 1] - ts[i]) * ctx_->info.timestamp_period_ns});
  return out;
}

}  // namespace rnpu::vk
