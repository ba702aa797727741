#include "vk_pipelines.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "pipeline_cache_file.h"
#include "rnpu/types.hpp"
#include "vk_shaders.h"

namespace rnpu::vk {

std::string default_cache_file(const DeviceInfo& info) {
  if (const char* e = std::getenv("RNPU_VULKAN_PIPELINE_CACHE"); e && std::strcmp(e, "0") == 0)
    return {};
  std::string base;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x == '/')
    base = x;
  else if (const char* h = std::getenv("HOME"); h && *h)
    base = std::string(h) + "/.cache";
  else
    return {};
  return base + "/rnpu/vulkan-pipelines/" + info.uuid_hex() + ".bin";
}

Pipelines::Pipelines(std::shared_ptr<Context> ctx, std::string cache_file)
    : ctx_(std::move(ctx)), cache_file_(std::move(cache_file)) {
  const Api& a = ctx_->api;
  std::vector<uint8_t> initial;
  stats_.cache_file = cache_file_;
  if (cache_file_.empty()) {
    stats_.cache_status = "disabled";
  } else {
    std::vector<uint8_t> file;
    std::string why;
    if (!read_file(cache_file_, &file))
      stats_.cache_status = "absent";
    else if (!decode_cache_file(ctx_->info, file, &initial, &why))
      stats_.cache_status = "rejected: " + why;
    else {
      stats_.cache_status = "loaded";
      stats_.loaded_bytes = initial.size();
    }
  }
  VkPipelineCacheCreateInfo pci{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
  pci.initialDataSize = initial.size();
  pci.pInitialData = initial.empty() ? nullptr : initial.data();
  if (a.vkCreatePipelineCache(ctx_->device, &pci, nullptr, &cache_) != VK_SUCCESS) {
    // A driver may still refuse data that passed our checks: start empty.
    pci.initialDataSize = 0;
    pci.pInitialData = nullptr;
    stats_.cache_status = "rejected by the driver";
    stats_.loaded_bytes = 0;
    check(a.vkCreatePipelineCache(ctx_->device, &pci, nullptr, &cache_), "vkCreatePipelineCache");
  }

  VkDescriptorSetLayoutBinding b[kBindings];
  for (uint32_t i = 0; i < kBindings; ++i)
    b[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo dl{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  dl.bindingCount = kBindings;
  dl.pBindings = b;
  check(a.vkCreateDescriptorSetLayout(ctx_->device, &dl, nullptr, &set_layout_),
        "vkCreateDescriptorSetLayout");
  VkPushConstantRange pr{VK_SHADER_STAGE_COMPUTE_BIT, 0, kPushBytes};
  VkPipelineLayoutCreateInfo pl{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  pl.setLayoutCount = 1;
  pl.pSetLayouts = &set_layout_;
  pl.pushConstantRangeCount = 1;
  pl.pPushConstantRanges = &pr;
  check(a.vkCreatePipelineLayout(ctx_->device, &pl, nullptr, &layout_), "vkCreatePipelineLayout");
}

Pipelines::~Pipelines() {
  std::string why;
  save(&why);
  const Api& a = ctx_->api;
  for (auto& [k, p] : pipelines_) a.vkDestroyPipeline(ctx_->device, p, nullptr);
  for (auto& [k, m] : modules_) a.vkDestroyShaderModule(ctx_->device, m, nullptr);
  a.vkDestroyPipelineLayout(ctx_->device, layout_, nullptr);
  a.vkDestroyDescriptorSetLayout(ctx_->device, set_layout_, nullptr);
  a.vkDestroyPipelineCache(ctx_->device, cache_, nullptr);
}

VkShaderModule Pipelines::module(const std::string& shader) {
  auto it = modules_.find(shader);
  if (it != modules_.end()) return it->second;
  const Spirv* s = find_spirv(shader);
  if (!s) throw Error(ErrorCode::kInternal, "vulkan: shader '" + shader + "' is not built in");
  VkShaderModuleCreateInfo ci{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  ci.codeSize = s->bytes;
  ci.pCode = s->words;
  VkShaderModule m;
  check(ctx_->api.vkCreateShaderModule(ctx_->device, &ci, nullptr, &m), "vkCreateShaderModule");
  modules_[shader] = m;
  return m;
}

VkPipeline Pipelines::get(const std::string& shader, const std::vector<uint32_t>& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  auto key = std::make_pair(shader, spec);
  auto it = pipelines_.find(key);
  if (it != pipelines_.end()) return it->second;

  std::vector<VkSpecializationMapEntry> entries(spec.size());
  for (uint32_t i = 0; i < spec.size(); ++i) entries[i] = {i, i * 4u, 4};
  VkSpecializationInfo si{uint32_t(entries.size()), entries.data(), spec.size() * 4, spec.data()};
  VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  ci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  ci.stage.module = module(shader);
  ci.stage.pName = "main";
  ci.stage.pSpecializationInfo = spec.empty() ? nullptr : &si;
  ci.layout = layout_;
  VkPipeline p;
  auto t0 = std::chrono::steady_clock::now();
  check(ctx_->api.vkCreateComputePipelines(ctx_->device, cache_, 1, &ci, nullptr, &p),
        ("vkCreateComputePipelines(" + shader + ")").c_str());
  stats_.create_ms +=
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  stats_.created++;
  dirty_ = true;
  pipelines_[key] = p;
  return p;
}

bool Pipelines::save(std::string* why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirty_ || cache_file_.empty()) return true;
  const Api& a = ctx_->api;
  size_t n = 0;
  if (a.vkGetPipelineCacheData(ctx_->device, cache_, &n, nullptr) != VK_SUCCESS) {
    *why = "vkGetPipelineCacheData failed";
    return false;
  }
  std::vector<uint8_t> data(n);
  if (n && a.vkGetPipelineCacheData(ctx_->device, cache_, &n, data.data()) != VK_SUCCESS) {
    *why = "vkGetPipelineCacheData failed";
    return false;
  }
  data.resize(n);
  if (!write_file_atomic(cache_file_, encode_cache_file(ctx_->info, data), why)) return false;
  dirty_ = false;
  return true;
}

Pipelines::Stats Pipelines::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s = stats_;
  s.pipelines = pipelines_.size();
  return s;
}

}  // namespace rnpu::vk
