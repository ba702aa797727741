// Compute pipelines for the embedded SPIR-V shaders: one pipeline layout
// for every kernel (4 storage buffers + 128 bytes of push constants), a
// pipeline per (shader, specialisation constants), created through a
// VkPipelineCache that persists on disk (pipeline_cache_file.h) so a
// second start skips the driver's shader compilation.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vk_context.h"

namespace rnpu::vk {

constexpr uint32_t kBindings = 4;
constexpr uint32_t kPushBytes = 128;

class Pipelines {
 public:
  // `cache_file` empty: no disk cache.
  Pipelines(std::shared_ptr<Context> ctx, std::string cache_file);
  ~Pipelines();  // saves the cache when new pipelines were created
  Pipelines(const Pipelines&) = delete;
  Pipelines& operator=(const Pipelines&) = delete;

  // The pipeline for `shader` (a name from the embedded table) with
  // specialisation constants 0..spec.size()-1.  Throws kDevice/kInternal.
  VkPipeline get(const std::string& shader, const std::vector<uint32_t>& spec);
  VkPipelineLayout layout() const { return layout_; }
  VkDescriptorSetLayout set_layout() const { return set_layout_; }

  // Writes the cache file if pipelines were created since the last save.
  // Returns false with *why on an I/O error (the cache is an optimisation,
  // so callers only report it).
  bool save(std::string* why);

  struct Stats {
    size_t pipelines = 0;      // pipelines held
    size_t created = 0;        // vkCreateComputePipelines calls
    double create_ms = 0;      // time spent in them
    size_t loaded_bytes = 0;   // size of the cache data loaded from disk
    std::string cache_file;    // "" when disabled
    std::string cache_status;  // "loaded", "absent", "rejected: <why>", "disabled"
  };
  Stats stats() const;

 private:
  VkShaderModule module(const std::string& shader);

  std::shared_ptr<Context> ctx_;
  std::string cache_file_;
  VkPipelineCache cache_ = VK_NULL_HANDLE;
  VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  mutable std::mutex mu_;
  std::map<std::string, VkShaderModule> modules_;
  std::map<std::pair<std::string, std::vector<uint32_t>>, VkPipeline> pipelines_;
  bool dirty_ = false;
  Stats stats_;
};

// Default cache file for a device:
// ${XDG_CACHE_HOME:-$HOME/.cache}/rnpu/vulkan-pipelines/<device uuid>.bin;
// "" when RNPU_VULKAN_PIPELINE_CACHE=0 or no home directory is known.
std::string default_cache_file(const DeviceInfo& info);

}  // namespace rnpu::vk
